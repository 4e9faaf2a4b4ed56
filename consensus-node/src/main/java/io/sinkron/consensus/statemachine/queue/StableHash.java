package io.sinkron.consensus.statemachine.queue;

import java.nio.charset.StandardCharsets;

/**
 * Hash functions whose values are part of the replicated state and the wire contract, so they are
 * fixed here rather than borrowed from {@link Object#hashCode()}: a message's partition and a
 * partition's Raft group must come out the same on every replica, JVM and release.
 */
final class StableHash {

    private StableHash() {}

    /** MurmurHash3 x86_32 of the UTF-8 bytes of {@code text}, seed 0. */
    static int murmur3(String text) {
        byte[] data = text.getBytes(StandardCharsets.UTF_8);
        int h = 0;
        int blocks = data.length / 4;
        for (int i = 0; i < blocks; i++) {
            int k = (data[4 * i] & 0xff)
                    | (data[4 * i + 1] & 0xff) << 8
                    | (data[4 * i + 2] & 0xff) << 16
                    | (data[4 * i + 3] & 0xff) << 24;
            h ^= mixK(k);
            h = Integer.rotateLeft(h, 13) * 5 + 0xe6546b64;
        }
        int tail = blocks * 4;
        int k = 0;
        switch (data.length & 3) {
            case 3:
                k ^= (data[tail + 2] & 0xff) << 16;
            // fall through
            case 2:
                k ^= (data[tail + 1] & 0xff) << 8;
            // fall through
            case 1:
                k ^= data[tail] & 0xff;
                h ^= mixK(k);
            // fall through
            default:
        }
        h ^= data.length;
        h ^= h >>> 16;
        h *= 0x85ebca6b;
        h ^= h >>> 13;
        h *= 0xc2b2ae35;
        h ^= h >>> 16;
        return h;
    }

    /** {@code hash mod buckets}, treating the hash as unsigned so every bucket is reachable. */
    static int bucket(String key, int buckets) {
        return Integer.remainderUnsigned(murmur3(key), buckets);
    }

    /**
     * A 64-bit hash for ring positions: FNV-1a 64 over the UTF-8 bytes, finished with MurmurHash3's
     * fmix64 so that similar names ("g#1", "g#2") land far apart on the ring.
     */
    static long hash64(String text) {
        long h = 0xcbf29ce484222325L;
        for (byte b : text.getBytes(StandardCharsets.UTF_8)) {
            h ^= b & 0xff;
            h *= 0x100000001b3L;
        }
        return fmix64(h);
    }

    static long fmix64(long k) {
        k ^= k >>> 33;
        k *= 0xff51afd7ed558ccdL;
        k ^= k >>> 33;
        k *= 0xc4ceb9fe1a85ec53L;
        k ^= k >>> 33;
        return k;
    }

    private static int mixK(int k) {
        k *= 0xcc9e2d51;
        k = Integer.rotateLeft(k, 15);
        return k * 0x1b873593;
    }
}
