package io.sinkron.cache.near;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Map;
import org.junit.jupiter.api.Test;

class NearCacheTest {

    @Test
    void when_a_line_is_read_then_the_least_recently_used_other_line_is_evicted_first() {
        var cache = new NearCache(3, 1_000);
        fill(cache, "a", 10);
        fill(cache, "b", 10);
        fill(cache, "c", 10);
        cache.get("a");

        Installation installation = fill(cache, "d", 10);

        assertThat(cache.lines()).extracting(Line::key).containsExactly("c", "a", "d");
        assertThat(installation.deregister()).containsOnlyKeys("b");
        assertThat(cache.evictions()).isEqualTo(1);
    }

    @Test
    void when_the_bytes_exceed_the_capacity_then_lines_are_evicted_until_they_fit() {
        var cache = new NearCache(100, 100);
        fill(cache, "a", 40);
        fill(cache, "b", 40);

        fill(cache, "c", 50);

        assertThat(cache.lines()).extracting(Line::key).containsExactly("b", "c");
        assertThat(cache.bytes()).isEqualTo(90);
        fill(cache, "d", 100);
        assertThat(cache.lines()).extracting(Line::key).containsExactly("d");
        assertThat(cache.bytes()).isEqualTo(100);
        assertThat(cache.evictions()).isEqualTo(3);
    }

    @Test
    void when_a_line_is_larger_than_the_whole_cache_then_it_is_not_cached_and_its_registration_is_given_back() {
        var cache = new NearCache(10, 100);
        fill(cache, "a", 10);

        Installation installation = fill(cache, "big", 101);

        assertThat(installation.installed()).isFalse();
        assertThat(installation.deregister()).containsOnlyKeys("big");
        assertThat(cache.lines()).extracting(Line::key).containsExactly("a");
    }

    @Test
    void when_a_key_is_filled_again_then_its_line_is_replaced_not_duplicated() {
        var cache = new NearCache(10, 100);
        fill(cache, "a", 10);
        fill(cache, "a", 30);

        assertThat(cache.size()).isEqualTo(1);
        assertThat(cache.bytes()).isEqualTo(30);
        assertThat(cache.count(LineState.EXCLUSIVE)).isEqualTo(1);
    }

    @Test
    void when_an_invalidation_arrives_during_a_fill_then_the_fill_installs_nothing() {
        var cache = new NearCache(10, 100);
        Ticket ticket = cache.beginFill("k");

        assertThat(cache.invalidate("k", 7)).isFalse();
        Installation installation = cache.complete(ticket, line("k", 5, ticket), true);

        assertThat(installation.installed()).isFalse();
        assertThat(installation.deregister()).containsExactly(Map.entry("k", ticket.epoch()));
        assertThat(cache.get("k")).isEmpty();
    }

    @Test
    void when_a_write_of_the_key_is_in_flight_then_a_fill_installs_nothing_and_keeps_its_registration() {
        // The write's MODIFIED registration at the home is the same registration as the fill's, so
        // handing it back would strand the line the write is about to install.
        var cache = new NearCache(10, 100);
        Ticket write = cache.beginWrite("k");
        Ticket fill = cache.beginFill("k");

        Installation filled = cache.complete(fill, line("k", 5, fill), true);
        Installation written = cache.complete(write, modified("k", 6, write), true);

        assertThat(filled.installed()).isFalse();
        assertThat(filled.deregister()).isEmpty();
        assertThat(written.installed()).isTrue();
        assertThat(cache.get("k")).get().extracting(Line::state).isEqualTo(LineState.MODIFIED);
    }

    @Test
    void when_a_write_begins_then_the_line_is_dropped_and_fills_begun_before_it_install_nothing() {
        var cache = new NearCache(10, 100);
        fill(cache, "k", 10);
        Ticket fill = cache.beginFill("k");

        Ticket write = cache.beginWrite("k");

        assertThat(cache.get("k")).isEmpty();
        cache.complete(write, modified("k", 9, write), true);
        assertThat(cache.complete(fill, line("k", 5, fill), true).installed()).isFalse();
        assertThat(cache.get("k")).get().extracting(Line::version).isEqualTo(9L);
    }

    @Test
    void when_two_writes_of_a_key_overlap_then_neither_installs() {
        var cache = new NearCache(10, 100);
        Ticket first = cache.beginWrite("k");
        Ticket second = cache.beginWrite("k");

        assertThat(cache.complete(first, modified("k", 5, first), true).installed())
                .isFalse();
        assertThat(cache.complete(second, modified("k", 6, second), true).installed())
                .isFalse();
    }

    @Test
    void when_the_cache_is_flushed_then_every_line_is_gone_and_fills_in_flight_install_nothing() {
        var cache = new NearCache(10, 100);
        fill(cache, "a", 10);
        fill(cache, "b", 10);
        Ticket ticket = cache.beginFill("c");

        assertThat(cache.flush()).isEqualTo(2);

        assertThat(cache.complete(ticket, line("c", 5, ticket), true).installed())
                .isFalse();
        assertThat(cache.size()).isZero();
        assertThat(cache.bytes()).isZero();
        assertThat(cache.count(LineState.EXCLUSIVE)).isZero();
    }

    @Test
    void when_an_invalidation_is_for_an_older_write_than_the_line_then_the_line_stays() {
        var cache = new NearCache(10, 100);
        Ticket ticket = cache.beginFill("k");
        cache.complete(ticket, line("k", 8, ticket), true);

        assertThat(cache.invalidate("k", 8)).isFalse();
        assertThat(cache.get("k")).isPresent();
        assertThat(cache.invalidate("k", 9)).isTrue();
        assertThat(cache.get("k")).isEmpty();
    }

    @Test
    void when_a_registration_is_not_installed_but_a_line_of_the_key_is_held_then_it_is_not_given_back() {
        var cache = new NearCache(10, 100);
        Ticket first = cache.beginFill("k");
        Ticket second = cache.beginFill("k");
        cache.complete(second, line("k", 5, second), true);

        Installation late = cache.complete(first, null, true);

        assertThat(late.deregister()).isEmpty();
        assertThat(cache.get("k")).isPresent();
    }

    @Test
    void when_a_line_is_evicted_while_a_fill_of_its_key_is_in_flight_then_that_fill_installs_nothing() {
        var cache = new NearCache(1, 100);
        fill(cache, "a", 10);
        Ticket again = cache.beginFill("a");

        Installation other = fill(cache, "b", 10);

        assertThat(other.deregister()).containsOnlyKeys("a");
        assertThat(cache.complete(again, line("a", 5, again), true).installed()).isFalse();
    }

    @Test
    void when_the_directory_changes_a_line_state_then_only_the_same_version_changes() {
        var cache = new NearCache(10, 100);
        fill(cache, "k", 10);

        cache.changeState("k", 4, LineState.SHARED);
        assertThat(cache.count(LineState.EXCLUSIVE)).isEqualTo(1);
        cache.changeState("k", 5, LineState.SHARED);

        assertThat(cache.get("k")).get().extracting(Line::state).isEqualTo(LineState.SHARED);
        assertThat(cache.count(LineState.SHARED)).isEqualTo(1);
        assertThat(cache.count(LineState.EXCLUSIVE)).isZero();
        assertThat(cache.bytes()).isEqualTo(10);
    }

    /** A read miss of {@code key} returning version 5 with a line of {@code size} bytes. */
    private static Installation fill(NearCache cache, String key, int size) {
        Ticket ticket = cache.beginFill(key);
        return cache.complete(ticket, new Line(key, "1", size, 5, LineState.EXCLUSIVE, ticket.epoch()), true);
    }

    private static Line line(String key, long version, Ticket ticket) {
        return new Line(key, "\"v\"", 10, version, LineState.EXCLUSIVE, ticket.epoch());
    }

    private static Line modified(String key, long version, Ticket ticket) {
        return new Line(key, "\"v\"", 10, version, LineState.MODIFIED, ticket.epoch());
    }
}
