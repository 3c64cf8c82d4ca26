/*
 * tapdelay A B DELAY_US: a link with a fixed one-way delay, for kernels without sch_netem.
 *
 * Creates the TAP devices A and B in the current network namespace and forwards every Ethernet frame
 * read from one to the other DELAY_US microseconds after it was read, in both directions, in order.
 * The caller moves the devices where it needs them (ip link set A netns X), brings them up and shapes
 * their rate with tc (tbf); this program only delays. A direction holds at most SLOTS frames in flight
 * (about 24 ms of a 1 Gbit/s link of 1500-byte frames); a frame that finds its queue full is dropped
 * and counted, as a router's queue would. Prints "ready" once both devices exist and, at the end,
 * "forwarded N M dropped D" on standard error. Ends when its standard input ends (the parent closed
 * it or died) or a device goes away. Needs root (CAP_NET_ADMIN) and /dev/net/tun.
 *
 * Built by NetworkNamespaces with the machine's C compiler (cc -O2) when the bench needs a delay and
 * the kernel has no netem. Linux only.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <linux/if.h>
#include <linux/if_tun.h>
#include <poll.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/prctl.h>
#include <time.h>
#include <unistd.h>

#define SLOTS 4096
#define FRAME 9216 /* the largest frame read: a 9000-byte MTU plus headers */

struct queue {
    unsigned char *frames; /* SLOTS x FRAME bytes */
    int len[SLOTS];
    int64_t due[SLOTS];
    int head;
    int count;
    long forwarded;
    long dropped;
};

static int64_t now_ns(void) {
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return (int64_t) t.tv_sec * 1000000000LL + t.tv_nsec;
}

static int open_tap(const char *name) {
    int fd = open("/dev/net/tun", O_RDWR | O_NONBLOCK | O_CLOEXEC);
    if (fd < 0) {
        fprintf(stderr, "tapdelay: open /dev/net/tun: %s\n", strerror(errno));
        exit(1);
    }
    struct ifreq ifr;
    memset(&ifr, 0, sizeof ifr);
    ifr.ifr_flags = IFF_TAP | IFF_NO_PI;
    if (strlen(name) >= IFNAMSIZ) {
        fprintf(stderr, "tapdelay: device name %s is longer than %d characters\n", name, IFNAMSIZ - 1);
        exit(2);
    }
    strncpy(ifr.ifr_name, name, IFNAMSIZ - 1);
    if (ioctl(fd, TUNSETIFF, &ifr) < 0) {
        fprintf(stderr, "tapdelay: TUNSETIFF %s: %s\n", name, strerror(errno));
        exit(1);
    }
    return fd;
}

/* Reads every frame waiting on fd into q, each due delay_ns from now; 0, or -1 when the device is gone. */
static int take(int fd, struct queue *q, int64_t delay_ns) {
    unsigned char spill[FRAME];
    for (;;) {
        int tail = (q->head + q->count) % SLOTS;
        unsigned char *slot = q->count < SLOTS ? q->frames + (size_t) tail * FRAME : spill;
        ssize_t n = read(fd, slot, FRAME);
        if (n < 0) {
            return errno == EAGAIN || errno == EINTR ? 0 : -1;
        }
        if (q->count == SLOTS) {
            q->dropped++;
            continue;
        }
        q->len[tail] = (int) n;
        q->due[tail] = now_ns() + delay_ns;
        q->count++;
    }
}

/* Writes the frames of q that are due by now to fd; the time the next one is due, or -1 if none. */
static int64_t give(int fd, struct queue *q, int64_t now) {
    while (q->count > 0 && q->due[q->head] <= now) {
        if (write(fd, q->frames + (size_t) q->head * FRAME, q->len[q->head]) < 0 && errno != EAGAIN) {
            q->dropped++;
        } else {
            q->forwarded++;
        }
        q->head = (q->head + 1) % SLOTS;
        q->count--;
    }
    return q->count > 0 ? q->due[q->head] : -1;
}

int main(int argc, char **argv) {
    if (argc != 4) {
        fprintf(stderr, "usage: tapdelay DEVICE_A DEVICE_B DELAY_US\n");
        return 2;
    }
    char *end;
    long delay_us = strtol(argv[3], &end, 10);
    if (*end != '\0' || delay_us < 0 || delay_us > 10000000) {
        fprintf(stderr, "tapdelay: delay %s (expected: microseconds in [0, 10000000])\n", argv[3]);
        return 2;
    }
    int64_t delay_ns = (int64_t) delay_us * 1000;
    prctl(PR_SET_TIMERSLACK, 1UL); /* wake within a microsecond of a frame's due time, not 50 */
    int fd[2] = {open_tap(argv[1]), open_tap(argv[2])};
    struct queue q[2]; /* q[i]: frames read from fd[i], to be written to fd[1 - i] */
    for (int i = 0; i < 2; i++) {
        memset(&q[i], 0, sizeof q[i]);
        q[i].frames = malloc((size_t) SLOTS * FRAME);
        if (q[i].frames == NULL) {
            fprintf(stderr, "tapdelay: out of memory\n");
            return 1;
        }
    }
    printf("ready\n");
    fflush(stdout);
    struct pollfd p[3] = {{fd[0], POLLIN, 0}, {fd[1], POLLIN, 0}, {STDIN_FILENO, POLLIN, 0}};
    int status = 0;
    for (;;) {
        int64_t now = now_ns();
        int64_t next = -1;
        for (int i = 0; i < 2; i++) {
            int64_t due = give(fd[1 - i], &q[i], now);
            if (due >= 0 && (next < 0 || due < next)) {
                next = due;
            }
        }
        struct timespec wait;
        if (next >= 0) {
            int64_t ns = next - now_ns();
            if (ns < 0) {
                ns = 0;
            }
            wait.tv_sec = ns / 1000000000LL;
            wait.tv_nsec = ns % 1000000000LL;
        }
        if (ppoll(p, 3, next >= 0 ? &wait : NULL, NULL) < 0 && errno != EINTR) {
            fprintf(stderr, "tapdelay: ppoll: %s\n", strerror(errno));
            status = 1;
            break;
        }
        if (p[2].revents) {
            char buf[256];
            if (read(STDIN_FILENO, buf, sizeof buf) <= 0) {
                break;
            }
        }
        int gone = 0;
        for (int i = 0; i < 2; i++) {
            if ((p[i].revents & (POLLERR | POLLHUP | POLLNVAL)) || ((p[i].revents & POLLIN) && take(fd[i], &q[i], delay_ns) < 0)) {
                gone = 1;
            }
        }
        if (gone) {
            break;
        }
    }
    fprintf(stderr, "tapdelay: forwarded %ld %ld dropped %ld\n", q[0].forwarded, q[1].forwarded,
            q[0].dropped + q[1].dropped);
    return status;
}
