// Command etcd-put is the native reference for the JVM load generator: the same closed loop
// (clients that put, wait, put again; warmup discarded; measured phase bounded in time and count)
// on etcd's own Go client, as etcd's tools/benchmark "put" does. It prints the same PHASE lines as
// io.sinkron.bench.LoadGenerator and one summary line starting with "NATIVE ".
//
// Built from Debian's golang-etcd-server-dev sources in GOPATH mode; see benchmarks/run.sh.
package main

import (
	"context"
	"flag"
	"fmt"
	"math/rand"
	"os"
	"sort"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"go.etcd.io/etcd/clientv3"
)

func main() {
	endpoints := flag.String("endpoints", "http://127.0.0.1:2379", "comma-separated client URLs")
	clients := flag.Int("clients", 64, "concurrent closed-loop clients")
	warmup := flag.Duration("warmup", 10*time.Second, "warmup, measured but discarded")
	measure := flag.Duration("measure", 20*time.Second, "measured phase")
	maxOps := flag.Int64("max-ops", 2000000, "end the measured phase after this many puts")
	valueBytes := flag.Int("value-bytes", 100, "value size")
	keys := flag.Int("keys", 10000, "puts go to keys drawn from this many 8-byte keys")
	opTimeout := flag.Duration("op-timeout", 10*time.Second, "deadline of one put")
	flag.Parse()

	// One client, so one gRPC connection shared by all clients, like the JVM harness.
	cli, err := clientv3.New(clientv3.Config{Endpoints: strings.Split(*endpoints, ","), DialTimeout: 5 * time.Second})
	if err != nil {
		fmt.Fprintln(os.Stderr, "connect:", err)
		os.Exit(1)
	}
	defer cli.Close()

	keyNames := make([]string, *keys)
	for i := range keyNames {
		keyNames[i] = fmt.Sprintf("k%07d", i)
	}

	var measuring, stopped atomic.Bool
	var completed, errors atomic.Int64
	latencies := make([][]time.Duration, *clients)
	var wg sync.WaitGroup
	for c := 0; c < *clients; c++ {
		wg.Add(1)
		go func(c int) {
			defer wg.Done()
			random := rand.New(rand.NewSource(int64(c) + 1))
			value := make([]byte, *valueBytes)
			random.Read(value)
			for !stopped.Load() {
				key := keyNames[random.Intn(len(keyNames))]
				ctx, cancel := context.WithTimeout(context.Background(), *opTimeout)
				start := time.Now()
				_, err := cli.Put(ctx, key, string(value))
				elapsed := time.Since(start)
				cancel()
				if err != nil {
					if measuring.Load() {
						errors.Add(1)
					}
					time.Sleep(10 * time.Millisecond)
					continue
				}
				if measuring.Load() && !stopped.Load() {
					latencies[c] = append(latencies[c], elapsed)
					completed.Add(1)
				}
			}
		}(c)
	}

	time.Sleep(*warmup)
	measuring.Store(true)
	fmt.Println("PHASE measure-start")
	start := time.Now()
	for time.Since(start) < *measure && completed.Load() < *maxOps {
		time.Sleep(20 * time.Millisecond)
	}
	stopped.Store(true)
	seconds := time.Since(start).Seconds()
	fmt.Println("PHASE measure-end")
	wg.Wait()

	var all []time.Duration
	for _, l := range latencies {
		all = append(all, l...)
	}
	sort.Slice(all, func(i, j int) bool { return all[i] < all[j] })
	fmt.Printf("NATIVE clients=%d ops=%d errors=%d seconds=%.3f p50_ms=%.3f p99_ms=%.3f p999_ms=%.3f\n",
		*clients, len(all), errors.Load(), seconds,
		percentile(all, 0.50), percentile(all, 0.99), percentile(all, 0.999))
}

func percentile(sorted []time.Duration, p float64) float64 {
	if len(sorted) == 0 {
		return 0
	}
	i := int(float64(len(sorted)) * p)
	if i >= len(sorted) {
		i = len(sorted) - 1
	}
	return float64(sorted[i].Microseconds()) / 1000
}
