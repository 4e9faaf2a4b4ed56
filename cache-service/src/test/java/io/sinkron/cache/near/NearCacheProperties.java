package io.sinkron.cache.near;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.List;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.constraints.IntRange;

/** Random fills, reads and invalidations against a list-based LRU model of the same capacity. */
class NearCacheProperties {

    record Step(int kind, int key, int size) {}

    @Provide
    Arbitrary<List<Step>> steps() {
        return Combinators.combine(
                        Arbitraries.integers().between(0, 3),
                        Arbitraries.integers().between(0, 7),
                        Arbitraries.integers().between(1, 60))
                .as(Step::new)
                .list()
                .ofMaxSize(200);
    }

    @Property(tries = 300)
    void the_cache_keeps_the_most_recently_used_lines_that_fit_in_entries_and_bytes(
            @ForAll("steps") List<Step> steps,
            @ForAll @IntRange(min = 1, max = 5) int maxEntries,
            @ForAll @IntRange(min = 1, max = 150) int maxBytes) {
        var cache = new NearCache(maxEntries, maxBytes);
        // Least recently used first, as NearCache.lines() lists them.
        List<Line> model = new ArrayList<>();
        long evictions = 0;
        for (Step step : steps) {
            String key = "k" + step.key();
            switch (step.kind()) {
                case 0, 1 -> {
                    Ticket ticket = cache.beginFill(key);
                    var line = new Line(key, "v", step.size(), 1, LineState.SHARED, ticket.epoch());
                    Installation installation = cache.complete(ticket, line, true);
                    if (step.size() <= maxBytes) {
                        model.removeIf(l -> l.key().equals(key));
                        model.add(line);
                        while (model.size() > maxEntries || bytes(model) > maxBytes) {
                            assertThat(installation.deregister())
                                    .containsKey(model.removeFirst().key());
                            evictions++;
                        }
                    }
                    assertThat(installation.installed()).isEqualTo(step.size() <= maxBytes);
                }
                case 2 -> {
                    boolean present = model.stream().anyMatch(l -> l.key().equals(key));
                    assertThat(cache.get(key).isPresent()).as("hit on %s", key).isEqualTo(present);
                    model.stream().filter(l -> l.key().equals(key)).findFirst().ifPresent(l -> {
                        model.remove(l);
                        model.add(l);
                    });
                }
                default -> {
                    cache.invalidate(key, 2);
                    model.removeIf(l -> l.key().equals(key));
                }
            }
            assertThat(cache.lines())
                    .extracting(Line::key)
                    .containsExactlyElementsOf(model.stream().map(Line::key).toList());
            assertThat(cache.bytes()).isEqualTo(bytes(model)).isLessThanOrEqualTo(maxBytes);
            assertThat(cache.size()).isLessThanOrEqualTo(maxEntries);
            assertThat(cache.count(LineState.SHARED)).isEqualTo(model.size());
            assertThat(cache.evictions()).isEqualTo(evictions);
        }
    }

    private static long bytes(List<Line> lines) {
        return lines.stream().mapToLong(Line::sizeBytes).sum();
    }
}
