/*
 * Sinkron fault-injection: a slow disk, as the process sees it.
 *
 * Loaded into a consensus node with LD_PRELOAD, this library stands in front of libc's fsync and
 * fdatasync (what the JVM's FileChannel.force calls): before each call it reads the delay meant for
 * this node from $SINKRON_FSYNC_DELAY_DIR/$NODE_ID (decimal milliseconds; a missing or empty file
 * means none), sleeps that long, then makes the real call. The thread that asked for durability is
 * blocked in native code exactly as it is on a disk whose flushes are slow; writes into the page
 * cache are not slowed. The file is read on every call, so the test harness changes the delay of a
 * running node by replacing that file (atomically, with a rename).
 */
#define _GNU_SOURCE
#include <dlfcn.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <time.h>
#include <unistd.h>

#define MAX_DELAY_MS 60000L

static long delay_ms(void) {
    const char *dir = getenv("SINKRON_FSYNC_DELAY_DIR");
    const char *node = getenv("NODE_ID");
    if (dir == NULL || node == NULL) {
        return 0;
    }
    char path[4096];
    int length = snprintf(path, sizeof path, "%s/%s", dir, node);
    if (length < 0 || length >= (int) sizeof path) {
        return 0;
    }
    int fd = open(path, O_RDONLY | O_CLOEXEC);
    if (fd < 0) {
        return 0;
    }
    char text[32];
    ssize_t n = pread(fd, text, sizeof text - 1, 0);
    close(fd);
    if (n <= 0) {
        return 0;
    }
    text[n] = '\0';
    long ms = strtol(text, NULL, 10);
    return ms > 0 && ms <= MAX_DELAY_MS ? ms : 0;
}

static void wait_as_a_slow_disk(void) {
    int saved = errno;
    long ms = delay_ms();
    if (ms > 0) {
        struct timespec left = {ms / 1000, (ms % 1000) * 1000000L};
        while (nanosleep(&left, &left) == -1 && errno == EINTR) {
        }
    }
    errno = saved;
}

int fsync(int fd) {
    static int (*real)(int);
    if (real == NULL) {
        real = (int (*)(int)) dlsym(RTLD_NEXT, "fsync");
    }
    wait_as_a_slow_disk();
    return real(fd);
}

int fdatasync(int fd) {
    static int (*real)(int);
    if (real == NULL) {
        real = (int (*)(int)) dlsym(RTLD_NEXT, "fdatasync");
    }
    wait_as_a_slow_disk();
    return real(fd);
}
