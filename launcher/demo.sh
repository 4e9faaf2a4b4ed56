#!/usr/bin/env bash
# ./sinkron demo: locks, queues and the cache of a running local Sinkron at work, one HTTP call at
# a time, each shown with its answer. The successor of the original design's standalone demos
# 1 (locks), 2 (queue) and 3 (cache), against a real three-node cluster instead of a single node
# that commits instantly.
#
# Needs curl. Prints JSON with jq when it is installed, as the services wrote it otherwise.
# Written for bash 3.2 too (macOS): no associative arrays, no empty-array expansions.
set -euo pipefail

usage() {
  cat <<'EOF'
Usage: ./sinkron demo [locks] [queue] [cache] [--port-offset N]

Runs against the local Sinkron that ./sinkron run started (in another terminal). Without a part
named, shows all three. --port-offset (default $SINKRON_PORT_OFFSET or 0) must match the run's.
EOF
}

offset=${SINKRON_PORT_OFFSET:-0}
parts=""
while [ $# -gt 0 ]; do
  case "$1" in
    locks | queue | cache) parts="$parts $1"; shift ;;
    --port-offset)
      [ $# -ge 2 ] || { echo "sinkron demo: --port-offset needs a value" >&2; exit 2; }
      offset=$2; shift 2 ;;
    -h | --help | help) usage; exit 0 ;;
    *) echo "sinkron demo: unknown argument '$1'" >&2; usage >&2; exit 2 ;;
  esac
done
case "$offset" in
  '' | *[!0-9-]*) echo "sinkron demo: --port-offset: '$offset' is not a whole number" >&2; exit 2 ;;
esac
[ -n "$parts" ] || parts="locks queue cache"

command -v curl >/dev/null || { echo "sinkron demo: needs curl" >&2; exit 2; }
have_jq=false
if command -v jq >/dev/null; then have_jq=true; fi

lock_url="http://127.0.0.1:$((8081 + offset))"
queue_url="http://127.0.0.1:$((8082 + offset))"
cache_a_url="http://127.0.0.1:$((8083 + offset))"
cache_b_url="http://127.0.0.1:$((8084 + offset))"

# Names unique to this run of the demo: the cluster keeps what earlier runs left.
run_id="$(date +%H%M%S)-$$"

if [ -t 1 ] && [ -z "${NO_COLOR:-}" ]; then
  bold=$'\033[1m' dim=$'\033[2m' green=$'\033[32m' red=$'\033[31m' reset=$'\033[0m'
else
  bold="" dim="" green="" red="" reset=""
fi

work=$(mktemp -d "${TMPDIR:-/tmp}/sinkron-demo.XXXXXX")
cleanup() {
  # A request still waiting in the background must not outlive the demo.
  local pid
  for pid in $(jobs -p); do kill "$pid" 2>/dev/null || true; done
  rm -rf "$work"
}
trap cleanup EXIT

section() { printf '\n%s== %s ==%s\n' "$bold" "$1" "$reset"; }
step() { printf '\n%s%s%s\n' "$bold" "$1" "$reset"; }
note() { printf '  %s\n' "$1"; }
fail() { printf '%sdemo failed: %s%s\n' "$red" "$1" "$reset" >&2; exit 1; }

# compact FILE [FILTER]: the JSON on one line; with jq and a FILTER, only the part that matters here.
compact() {
  if $have_jq; then jq -c "${2:-.}" 2>/dev/null <"$1" || cat "$1"; else cat "$1"; fi
}

# field PATH FILE: a value from the JSON in FILE: PATH with jq; without jq, the field named by PATH's
# last part, which this script only asks for where the answer has one field of that name.
field() {
  if $have_jq; then
    jq -r "$1 // empty" <"$2"
  else
    local name=${1##*.}
    sed -n "s/.*\"$name\":\"\{0,1\}\([^\",}]*\).*/\1/p" <"$2" | head -n 1
  fi
}

# header NAME REQUEST: a response header of REQUEST, whatever the case of its name.
header() {
  tr -d '\r' <"$work/$2.headers" | awk -v name="$1" '
    { i = index($0, ":") }
    i > 0 && tolower(substr($0, 1, i - 1)) == tolower(name) { v = substr($0, i + 1); sub(/^ */, "", v); print v; exit }'
}

# request NAME METHOD URL [BODY]: the answer goes to $work/NAME.{status,body,headers}.
request() {
  local name=$1 method=$2 url=$3 body=${4:-}
  local args=(-sS -X "$method" -o "$work/$name.body" -D "$work/$name.headers" -w '%{http_code}')
  if [ -n "$body" ]; then args+=(-H 'Content-Type: application/json' --data "$body"); fi
  curl "${args[@]}" "$url" >"$work/$name.status" 2>"$work/$name.error" ||
    fail "$method $url: $(cat "$work/$name.error")"
}

show_request() {
  local method=$1 url=$2 body=${3:-} suffix=${4:-}
  printf '  %s%s :%s%s%s%s%s\n' "$dim" "$method" "${url#http://127.0.0.1:}" "$reset" "${body:+ $body}" "$dim$suffix" "$reset"
}

# show_answer NAME [LABEL] [FILTER]
show_answer() {
  local name=$1 label=${2:-} filter=${3:-.}
  printf '  -> %s%s%s%s %s\n' "${label:+$label }" "$green" "$(cat "$work/$name.status")" "$reset" "$(compact "$work/$name.body" "$filter")"
}

# call NAME EXPECTED METHOD URL [BODY [FILTER]]: one request, shown with its answer; fails on another status.
call() {
  local name=$1 expected=$2 method=$3 url=$4 body=${5:-} filter=${6:-.}
  show_request "$method" "$url" "$body"
  request "$name" "$method" "$url" "$body"
  show_answer "$name" "" "$filter"
  expect "$name" "$expected"
}

expect() {
  local status
  status=$(cat "$work/$1.status")
  [ "$status" = "$2" ] || fail "expected HTTP $2, got $status: $(cat "$work/$1.body")"
}

# call_in_background NAME METHOD URL BODY: a request that waits; finish_background NAME collects it.
call_in_background() {
  show_request "$2" "$3" "$4" "  (waits, in the background)"
  request "$1" "$2" "$3" "$4" &
  echo $! >"$work/$1.pid"
}

finish_background() {
  wait "$(cat "$work/$1.pid")" || fail "the background request $1 failed"
}

# until_body_contains NAME URL TEXT: polls URL until its answer contains TEXT (at most 10 s).
until_body_contains() {
  local i
  for i in $(seq 1 50); do
    request "$1" GET "$2"
    if grep -q "$3" "$work/$1.body"; then return 0; fi
    sleep 0.2
  done
  fail "GET $2 never showed $3"
}

require_up() {
  local status
  status=$(curl -s -o /dev/null -w '%{http_code}' "$2/actuator/health/readiness" || true)
  [ "$status" = 200 ] ||
    fail "$1 is not ready at $2 (HTTP ${status:-none}); start Sinkron with ./sinkron run in another terminal$([ "$offset" = 0 ] || echo " (--port-offset $offset)")"
}

demo_locks() {
  local printer="printer-$run_id" a="ledger-a-$run_id" b="ledger-b-$run_id"
  local first_token second_token
  section "1. Locks: lock-service, $lock_url/swagger-ui.html"
  require_up lock-service "$lock_url"

  step "alice takes the printer lock"
  call grant-alice 200 POST "$lock_url/locks/$printer" '{"lock_type":"exclusive","client_id":"alice","timeout":0,"ttl":60000}'
  first_token=$(field .fencing_token "$work/grant-alice.body")

  step "bob wants it too: his request waits in line (up to 10 s)"
  call_in_background grant-bob POST "$lock_url/locks/$printer" '{"lock_type":"exclusive","client_id":"bob","timeout":10000,"ttl":60000}'
  until_body_contains printer-state "$lock_url/locks/$printer" '"waiters":\[{"client_id":"bob"'
  show_request GET "$lock_url/locks/$printer"
  show_answer printer-state "" '{mode, holders: [.holders[] | {client_id, fencing_token}], waiters: [.waiters[] | {client_id, deadline}]}'
  note "alice holds it, bob waits"

  step "alice releases it: bob's waiting request returns with the lock"
  call release-alice 200 DELETE "$lock_url/locks/$printer?client_id=alice"
  finish_background grant-bob
  show_answer grant-bob "bob's request:"
  expect grant-bob 200
  second_token=$(field .fencing_token "$work/grant-bob.body")
  [ "$second_token" -gt "$first_token" ] || fail "fencing token did not grow: $first_token then $second_token"

  step "fencing: bob's token $second_token is larger than alice's $first_token; the printer asks which is still good"
  call validate-old 200 POST "$lock_url/locks/$printer/validate" "{\"fencing_token\":$first_token}"
  call validate-new 200 POST "$lock_url/locks/$printer/validate" "{\"fencing_token\":$second_token}"
  grep -q '"valid":false' "$work/validate-old.body" || fail "alice's old token is still valid"
  note "a write that arrives late with alice's token $first_token is refused"
  call release-bob 200 DELETE "$lock_url/locks/$printer?client_id=bob"

  step "deadlock: alice holds ledger A, bob holds ledger B"
  call hold-a 200 POST "$lock_url/locks/$a" '{"lock_type":"exclusive","client_id":"alice","timeout":0,"ttl":60000}'
  call hold-b 200 POST "$lock_url/locks/$b" '{"lock_type":"exclusive","client_id":"bob","timeout":0,"ttl":60000}'
  step "alice asks for B and waits for bob"
  call_in_background alice-wants-b POST "$lock_url/locks/$b" '{"lock_type":"exclusive","client_id":"alice","timeout":15000,"ttl":60000}'
  until_body_contains b-state "$lock_url/locks/$b" '"waiters":\[{"client_id":"alice"'
  step "bob asks for A: each would wait for the other forever; the cluster refuses the youngest wait"
  call bob-wants-a 409 POST "$lock_url/locks/$a" '{"lock_type":"exclusive","client_id":"bob","timeout":15000,"ttl":60000}'
  grep -q 'problems/deadlock' "$work/bob-wants-a.body" || fail "bob's request was refused, but not as a deadlock"
  note "deadlock detected: bob's request was the victim, with the cycle in the answer"
  if $have_jq; then
    show_request GET "$lock_url/deadlocks" "" "  (the most recent one)"
    request deadlocks GET "$lock_url/deadlocks"
    show_answer deadlocks "" '{total_detected, latest: .deadlocks[-1] | {cycle, victim}}'
  else
    request deadlocks GET "$lock_url/deadlocks"
    show_request GET "$lock_url/deadlocks"
    note "-> $(cat "$work/deadlocks.status") total_detected: $(field .total_detected "$work/deadlocks.body") (install jq to see the cycles)"
  fi
  step "bob gives up B: alice's wait ends with the lock"
  call release-b 200 DELETE "$lock_url/locks/$b?client_id=bob"
  finish_background alice-wants-b
  show_answer alice-wants-b "alice's request:"
  expect alice-wants-b 200
  call release-a 200 DELETE "$lock_url/locks/$a?client_id=alice"
  call release-b-alice 200 DELETE "$lock_url/locks/$b?client_id=alice"
}

demo_queue() {
  local q="orders-$run_id" receipt id stale i count
  section "2. Queues: queue-service, $queue_url/swagger-ui.html"
  require_up queue-service "$queue_url"

  step "a queue whose messages come back after 2 s unless acked, at most 2 deliveries each"
  call create 200 PUT "$queue_url/queue/$q" '{"partitions":1,"visibility_timeout":2000,"delivery_limit":2}' \
    '{queue_id, config: (.config | {partitions, visibility_timeout, delivery_limit, dead_letter_queue})}'

  step "order 1: enqueue, receive, ack"
  call enqueue-1 201 POST "$queue_url/queue/$q/enqueue" '{"message":{"order":1,"item":"coffee"}}'
  call receive-1 200 POST "$queue_url/queue/$q/dequeue" '{"max_messages":1}'
  id=$(field '.messages[0].message_id' "$work/receive-1.body")
  receipt=$(field '.messages[0].receipt' "$work/receive-1.body")
  call ack-1 200 POST "$queue_url/queue/$q/ack" "{\"message_id\":\"$id\",\"receipt\":\"$receipt\"}"

  step "order 2: a consumer receives it and crashes before acking"
  call enqueue-2 201 POST "$queue_url/queue/$q/enqueue" '{"message":{"order":2,"item":"tea"}}'
  call receive-2 200 POST "$queue_url/queue/$q/dequeue" '{"max_messages":1}'
  id=$(field '.messages[0].message_id' "$work/receive-2.body")
  stale=$(field '.messages[0].receipt' "$work/receive-2.body")

  step "its visibility timeout passes: another consumer receives it again (delivery_count 2)"
  for i in 1 2 3 4 5; do
    show_request POST "$queue_url/queue/$q/dequeue" '{"max_messages":1,"wait":5000}' "  (long poll)"
    request redeliver POST "$queue_url/queue/$q/dequeue" '{"max_messages":1,"wait":5000}'
    expect redeliver 200
    if grep -q '"message_id"' "$work/redeliver.body"; then break; fi
  done
  show_answer redeliver
  count=$(field '.messages[0].delivery_count' "$work/redeliver.body")
  [ "$count" = 2 ] || fail "expected a second delivery, got: $(cat "$work/redeliver.body")"
  note "redelivered after the visibility timeout: at-least-once delivery"

  step "the first consumer comes back and acks with its old receipt: refused, someone else has the message"
  call stale-ack 409 POST "$queue_url/queue/$q/ack" "{\"message_id\":\"$id\",\"receipt\":\"$stale\"}"

  step "the second delivery is not acked either: with its 2 deliveries used, it moves to the dead-letter queue $q.dlq"
  call dead-letter 200 POST "$queue_url/queue/$q.dlq/dequeue" '{"max_messages":1,"wait":10000}'
  grep -q "\"message_id\":\"$id\"" "$work/dead-letter.body" || fail "order 2 did not reach $q.dlq"
  note "dead-lettered: the same message id, its delivery count starting again in the dead-letter queue"
  receipt=$(field '.messages[0].receipt' "$work/dead-letter.body")
  call ack-dead 200 POST "$queue_url/queue/$q.dlq/ack" "{\"message_id\":\"$id\",\"receipt\":\"$receipt\"}"
  call describe 200 GET "$queue_url/queue/$q" "" '{queue_id, depth, in_flight, dead_letter_depth, dead_lettered_total}'
  call delete-q 204 DELETE "$queue_url/queue/$q"
  call delete-dlq 204 DELETE "$queue_url/queue/$q.dlq"
}

show_read() {
  local name=$1 who=$2
  show_request GET "$3"
  request "$name" GET "$3"
  show_answer "$name"
  expect "$name" 200
  note "$who: X-Cache: $(header X-Cache "$name"), X-Cache-State: $(header X-Cache-State "$name"), ETag: $(header ETag "$name")"
}

demo_cache() {
  local key="greeting-$run_id"
  section "3. Cache: two cache-service instances, cache-a $cache_a_url and cache-b $cache_b_url"
  require_up "cache-service cache-a" "$cache_a_url"
  require_up "cache-service cache-b" "$cache_b_url"

  step "write through cache-a: cache-a now holds the only copy, MODIFIED"
  call put-a 200 PUT "$cache_a_url/cache/$key" '{"value":"hello"}'
  call state-0 200 GET "$cache_a_url/cache/$key/state"

  step "read through cache-b: a miss the first time, then a hit from its near cache"
  show_read read-b-1 cache-b "$cache_b_url/cache/$key"
  show_read read-b-2 cache-b "$cache_b_url/cache/$key"

  step "the directory in the cluster: both instances hold the key now, SHARED"
  call state-1 200 GET "$cache_a_url/cache/$key/state"

  step "write through cache-b: it returns only after cache-a's copy is invalidated"
  call put-b 200 PUT "$cache_b_url/cache/$key" '{"value":"hello again"}'
  call state-2 200 GET "$cache_a_url/cache/$key/state"
  grep -q '"instance_id":"cache-a"' "$work/state-2.body" && fail "cache-a still holds the key after the write through cache-b"
  note "cache-a no longer holds the key"

  step "read through cache-a: a miss, and the new value, never the old one"
  show_read read-a cache-a "$cache_a_url/cache/$key"
  grep -q 'hello again' "$work/read-a.body" || fail "cache-a returned a stale value"
  call stats-a 200 GET "$cache_a_url/cache/stats"
  note "cache-a received $(field .invalidations_received "$work/stats-a.body") invalidation(s)"
  call delete-key 204 DELETE "$cache_a_url/cache/$key"
}

for part in $parts; do
  case "$part" in
    locks) demo_locks ;;
    queue) demo_queue ;;
    cache) demo_cache ;;
  esac
done
printf '\n%sdemo finished%s\n' "$bold" "$reset"
