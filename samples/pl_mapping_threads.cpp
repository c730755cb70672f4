// Threads mapping and unmapping at once, so freed ranges are reused by other threads at
// once: each of 4 threads maps and unmaps 3000 times (1 to 4 pages, half of them cut in
// two by a partial munmap first) and keeps the first page of every 100th. Prints the page
// size, the pages kept and "ok"; the books must hold exactly the kept pages.
#include <sys/mman.h>
#include <unistd.h>

#include <cstdio>
#include <thread>
#include <vector>

namespace {

constexpr int kThreads = 4;
constexpr int kRounds = 3000;
constexpr int kKeepEvery = 100;
size_t g_page = 0;

[[gnu::noinline]] char* mapPages(size_t pages) {
  return static_cast<char*>(
      mmap(nullptr, pages * g_page, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0));
}

void churn(int thread, std::vector<char*>* kept, bool* failed) {
  for (int i = 0; i < kRounds; ++i) {
    size_t pages = 1 + static_cast<size_t>((i + thread) % 4);
    char* p = mapPages(pages);
    if (p == MAP_FAILED) {
      *failed = true;
      return;
    }
    p[0] = 1;
    if (i % kKeepEvery == 0) {  // its first page is kept, the rest unmapped
      if (pages > 1 && munmap(p + g_page, (pages - 1) * g_page) != 0) *failed = true;
      kept->push_back(p);
      continue;
    }
    if (pages > 1 && i % 2 == 0) {  // cut in two: the first page, then the rest
      if (munmap(p, g_page) != 0) *failed = true;
      p += g_page;
      --pages;
    }
    if (munmap(p, pages * g_page) != 0) *failed = true;
  }
}

}  // namespace

int main() {
  g_page = static_cast<size_t>(sysconf(_SC_PAGESIZE));
  std::vector<std::vector<char*>> kept(kThreads);
  bool failed[kThreads] = {};
  std::vector<std::thread> threads;
  for (int t = 0; t < kThreads; ++t) threads.emplace_back(churn, t, &kept[t], &failed[t]);
  for (std::thread& t : threads) t.join();
  size_t count = 0;
  bool ok = true;
  for (int t = 0; t < kThreads; ++t) {
    count += kept[t].size();
    ok = ok && !failed[t];
  }
  std::printf("page %zu kept %zu\n%s\n", g_page, count, ok ? "ok" : "misbehaved");
  return ok ? 0 : 1;
}
