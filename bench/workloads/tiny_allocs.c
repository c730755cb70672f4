/* Many tiny allocations from C, the way a parser or an interpreter makes them: 8 to 64
 * bytes each, a short-lived working set of 256 blocks, about 40 million malloc/free pairs.
 * The allocator's own fast path is all the work there is, so per-call overhead shows.
 * Usage: tiny_allocs [PAIRS]   (default 40000000) */

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>

#define WORKING_SET 256

static void escape(const void* p) { __asm__ volatile("" : : "g"(p) : "memory"); }

static uint64_t next_random(uint64_t* s) {
  *s ^= *s << 13;
  *s ^= *s >> 7;
  *s ^= *s << 17;
  return *s;
}

__attribute__((noinline)) static char* make_token(uint64_t r) {
  char* t = malloc(8 + (size_t)(r % 57));
  t[0] = (char)r;
  return t;
}

int main(int argc, char** argv) {
  const long pairs = argc > 1 ? atol(argv[1]) : 40000000L;
  if (pairs <= 0) {
    fprintf(stderr, "usage: tiny_allocs [PAIRS]\n");
    return 2;
  }
  char* live[WORKING_SET] = {0};
  uint64_t state = 0x243F6A8885A308D3ull;
  long sum = 0;
  for (long i = 0; i < pairs; ++i) {
    const uint64_t r = next_random(&state);
    const unsigned slot = (unsigned)(r >> 56);
    free(live[slot]);
    live[slot] = make_token(r);
    sum += live[slot][0];
    escape(live[slot]);
  }
  for (int i = 0; i < WORKING_SET; ++i) free(live[i]);
  printf("tiny_allocs: %ld\n", sum);
  return 0;
}
