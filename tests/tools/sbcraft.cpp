// sbcraft: writes a dump described line by line on stdin, through the format's own encoders
// (tests/unit/synthetic_dump.hpp), for end-to-end tests that need a dump no program would
// write: hostile names, chosen series. Strings are hex, so any byte can be said.
//
//   header PID EXE_HEX INTERVAL_MS
//   module ID LOAD SIZE PATH_HEX [BUILD_ID_HEX]
//   site ID alloc|OP FRAME...            OP: read, write, ... (the interposed function)
//   snapshot TIME_NS RSS a:SITE:LIVE:COUNT:ALLOCS:FREES... s:SITE:CALLS:BYTES...
//   note TEXT_HEX
//   end TIME_NS
//
//   sbcraft OUT.sb < SPEC     exit 2 with one line on stderr for a spec it cannot read

#include <cstdio>
#include <iostream>
#include <sstream>
#include <stdexcept>
#include <string>
#include <vector>

#include "../unit/synthetic_dump.hpp"

namespace {

using namespace slowburn;

uint64_t number(const std::string& text) {
  size_t used = 0;
  const uint64_t v = std::stoull(text, &used, 0);
  if (used != text.size()) throw std::invalid_argument("not a number: " + text);
  return v;
}

std::string unhex(const std::string& hex) {
  if (hex == "-") return "";
  if (hex.size() % 2 != 0) throw std::invalid_argument("odd hex string: " + hex);
  std::string out;
  for (size_t i = 0; i < hex.size(); i += 2) {
    out += static_cast<char>(std::stoul(hex.substr(i, 2), nullptr, 16));
  }
  return out;
}

std::vector<std::string> fields(const std::string& text, char separator) {
  std::vector<std::string> out;
  std::stringstream in(text);
  for (std::string piece; std::getline(in, piece, separator);) out.push_back(piece);
  return out;
}

format::SyscallOp opNamed(const std::string& name) {
  for (uint8_t op = 1; op <= format::kMaxSyscallOp; ++op) {
    if (name == format::kSyscallOpNames[op]) return static_cast<format::SyscallOp>(op);
  }
  throw std::invalid_argument("unknown syscall: " + name);
}

void apply(testing::SyntheticDump& dump, const std::vector<std::string>& w) {
  const std::string& what = w.at(0);
  if (what == "header") {
    dump.header(number(w.at(1)), unhex(w.at(2)), number(w.at(3)));
  } else if (what == "module") {
    dump.module(static_cast<uint32_t>(number(w.at(1))), number(w.at(2)), number(w.at(3)),
                unhex(w.at(4)), w.size() > 5 ? unhex(w[5]) : "");
  } else if (what == "site") {
    std::vector<uint64_t> frames;
    for (size_t i = 3; i < w.size(); ++i) frames.push_back(number(w[i]));
    const bool alloc = w.at(2) == "alloc";
    dump.site(static_cast<uint32_t>(number(w.at(1))),
              alloc ? format::SiteKind::Alloc : format::SiteKind::Syscall, frames,
              alloc ? format::SyscallOp::None : opNamed(w.at(2)));
  } else if (what == "snapshot") {
    std::vector<testing::AllocChange> allocs;
    std::vector<testing::SyscallChange> syscalls;
    for (size_t i = 3; i < w.size(); ++i) {
      const std::vector<std::string> f = fields(w[i], ':');
      if (f.at(0) == "a") {
        allocs.push_back({static_cast<uint32_t>(number(f.at(1))), number(f.at(2)), number(f.at(3)),
                          number(f.at(4)), number(f.at(5))});
      } else {
        syscalls.push_back(
            {static_cast<uint32_t>(number(f.at(1))), number(f.at(2)), number(f.at(3))});
      }
    }
    dump.snapshot(number(w.at(1)), number(w.at(2)), allocs, syscalls);
  } else if (what == "note") {
    dump.note(format::NoteKind::Info, 0, unhex(w.at(1)));
  } else if (what == "end") {
    dump.end(number(w.at(1)));
  } else {
    throw std::invalid_argument("unknown record: " + what);
  }
}

}  // namespace

int main(int argc, char** argv) {
  if (argc != 2) {
    std::fprintf(stderr, "usage: sbcraft OUT.sb < SPEC\n");
    return 2;
  }
  testing::SyntheticDump dump;
  size_t lineNo = 0;
  try {
    for (std::string line; std::getline(std::cin, line);) {
      ++lineNo;
      const std::vector<std::string> w = fields(line, ' ');
      if (!w.empty() && !w[0].empty()) apply(dump, w);
    }
  } catch (const std::exception& e) {
    std::fprintf(stderr, "sbcraft: line %zu: %s\n", lineNo, e.what());
    return 2;
  }
  FILE* out = std::fopen(argv[1], "wb");
  if (out == nullptr || std::fwrite(dump.bytes().data(), 1, dump.size(), out) != dump.size() ||
      std::fclose(out) != 0) {
    std::fprintf(stderr, "sbcraft: cannot write %s\n", argv[1]);
    return 2;
  }
  return 0;
}
