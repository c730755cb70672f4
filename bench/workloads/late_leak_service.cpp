// A request loop whose memory is flat for most of the run, until a feature switched on at
// 60% starts keeping a record of every request it serves: the late leak.
// Usage: late_leak_service [REQUESTS]   (default 1000000)

#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <string>
#include <vector>

namespace {

void escape(const void* p) { asm volatile("" : : "g"(p) : "memory"); }

struct Record {
  long id;
  char summary[120];
};

std::vector<Record*> g_audit;  // never trimmed once it starts

[[gnu::noinline]] std::string render(long id) {
  std::string page = "<item id=\"" + std::to_string(id) + "\">";
  for (int i = 0; i < 6; ++i) page += "<field>" + std::to_string(id * i) + "</field>";
  return page + "</item>";
}

[[gnu::noinline]] void audit(long id, const std::string& page) {
  auto* r = new Record;
  r->id = id;
  std::strncpy(r->summary, page.c_str(), sizeof r->summary - 1);
  r->summary[sizeof r->summary - 1] = '\0';
  g_audit.push_back(r);
}

}  // namespace

int main(int argc, char** argv) {
  const long requests = argc > 1 ? std::atol(argv[1]) : 1000000;
  if (requests <= 0) {
    std::fprintf(stderr, "usage: late_leak_service [REQUESTS]\n");
    return 2;
  }
  size_t bytes = 0;
  for (long i = 0; i < requests; ++i) {
    const std::string page = render(i);
    bytes += page.size();
    escape(page.data());
    if (i >= requests * 6 / 10) audit(i, page);
  }
  std::printf("late_leak_service: %zu audited, %zu bytes\n", g_audit.size(), bytes);
  return 0;
}
