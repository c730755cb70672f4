// The symbolizer against real binaries: the sym_pie sample (PIE and non-PIE), its stripped
// and split-debug copies, a dlopen'ed library, and files that are missing, odd or changed.

#include <dlfcn.h>
#include <gtest/gtest.h>
#include <link.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <map>
#include <sstream>
#include <string>
#include <vector>

#include "output/frame_text.hpp"
#include "symbols/plumbing.hpp"
#include "symbols/symbolizer.hpp"

namespace {

using namespace slowburn::analyze;
namespace fs = std::filesystem;

std::string fixture(const std::string& name) {
  return (fs::read_symlink("/proc/self/exe").parent_path() / "samples" / name).string();
}

uint64_t parseHex(const std::string& text) { return std::stoull(text, nullptr, 16); }

std::string hexToBytes(const std::string& hex) {
  std::string bytes;
  for (size_t i = 0; i + 1 < hex.size(); i += 2) {
    bytes.push_back(static_cast<char>(std::stoi(hex.substr(i, 2), nullptr, 16)));
  }
  return bytes;
}

// What sym_pie printed about itself: "key value..." per line.
struct SampleRun {
  std::map<std::string, std::vector<std::string>> values;
  std::vector<Module> modules;  // as the preload records them, main program first

  uint64_t address(const std::string& key) const { return parseHex(values.at(key).at(0)); }
  int line(const std::string& key) const { return std::stoi(values.at(key).at(0)); }
  uint64_t bias() const { return modules.at(0).loadAddress; }
  std::vector<uint64_t> stack(const std::string& key) const {
    std::vector<uint64_t> frames;
    for (const std::string& word : values.at(key)) frames.push_back(parseHex(word));
    return frames;
  }
  // The main program's module record, for another copy of the file at path.
  Module module(const std::string& path) const {
    Module main = modules.at(0);
    main.path = path;
    return main;
  }
};

SampleRun runSample(const std::string& path) {
  SampleRun run;
  FILE* out = popen(path.c_str(), "r");
  EXPECT_NE(out, nullptr) << path;
  if (out == nullptr) return run;
  std::string text;
  char buf[4096];
  for (size_t n; (n = fread(buf, 1, sizeof buf, out)) > 0;) text.append(buf, n);
  EXPECT_EQ(pclose(out), 0) << path << " failed; build the fixtures with make build/unit_tests";
  std::istringstream lines(text);
  for (std::string line; std::getline(lines, line);) {
    std::istringstream words(line);
    std::string key;
    words >> key;
    std::vector<std::string> rest;
    for (std::string word; words >> word;) rest.push_back(word);
    if (key == "module" && rest.size() == 4) {
      run.modules.push_back({.loadAddress = parseHex(rest[0]),
                             .size = parseHex(rest[1]),
                             .buildId = rest[2] == "-" ? std::string() : hexToBytes(rest[2]),
                             .path = rest[3]});
    } else {
      run.values[key] = rest;
    }
  }
  EXPECT_FALSE(run.modules.empty()) << path;
  return run;
}

// Each sample runs once for the whole file.
const SampleRun& sampleRun(const std::string& name) {
  static std::map<std::string, SampleRun> runs;
  auto it = runs.find(name);
  if (it == runs.end()) it = runs.emplace(name, runSample(fixture(name))).first;
  return it->second;
}

const SampleRun& pieRun() { return sampleRun("sym_pie"); }

// One frame for one address: the level of its inline chain that is the program's own code,
// else the real (out-of-line) function.
Frame frameAt(Symbolizer& symbolizer, uint64_t address, bool isReturnAddress) {
  const std::vector<Frame> chain = symbolizer.resolveInlineChain(address, isReturnAddress);
  return chain[firstUserFrame(chain).value_or(chain.size() - 1)];
}

void expectResolvesFunctionAndCall(const std::string& name) {
  const SampleRun& run = sampleRun(name);
  const std::string path = fixture(name);
  Symbolizer symbolizer;
  symbolizer.addModule(run.module(path));

  const Frame entry = frameAt(symbolizer, run.address("caller_address"), false);
  EXPECT_EQ(entry.function, "symPieCaller(int)");
  EXPECT_EQ(entry.file.front(), '/') << "relative DWARF names are joined to the CU's directory";
  EXPECT_TRUE(entry.file.ends_with("/samples/sym_pie.cpp")) << entry.file;
  EXPECT_EQ(entry.line, run.line("caller_line"));
  EXPECT_EQ(entry.module, path);
  EXPECT_EQ(entry.offset, run.address("caller_address") - run.bias());

  const Frame call = frameAt(symbolizer, run.address("return_address"), true);
  EXPECT_EQ(call.function, "symPieCaller(int)");
  EXPECT_EQ(fileBasename(call.file), "sym_pie.cpp");
  EXPECT_EQ(call.line, run.line("call_line"));
}

TEST(SymbolizerPie, FunctionAddressAndReturnAddressResolveToExactLines) {
  expectResolvesFunctionAndCall("sym_pie");
}

TEST(SymbolizerNoPie, FixedAddressExecutableResolvesWithZeroBias) {
  ASSERT_EQ(sampleRun("sym_nopie").bias(), 0u);
  expectResolvesFunctionAndCall("sym_nopie");
}

// Given an operator new stack captured in the sample: past the frame in operator new
// itself, as the preload skips its own frames; every loaded module recorded.
std::vector<Frame> resolveCaptured(const SampleRun& run, const std::string& key,
                                   Symbolizer& symbolizer, std::vector<uint64_t>& stack) {
  for (const Module& module : run.modules) symbolizer.addModule(module);
  const std::vector<uint64_t> captured = run.stack(key);
  EXPECT_GE(captured.size(), 3u);
  stack.assign(captured.begin() + 1, captured.end());
  std::vector<Frame> frames;
  for (const uint64_t address : stack) frames.push_back(frameAt(symbolizer, address, true));
  return frames;
}

void expectInlinedPushBackAtUsersLine(const std::string& name) {
  const SampleRun& run = sampleRun(name);
  Symbolizer symbolizer;
  std::vector<uint64_t> stack;
  const std::vector<Frame> frames = resolveCaptured(run, "push_stack", symbolizer, stack);
  ASSERT_EQ(frames.size(), stack.size());

  // _M_realloc_insert and the allocator are inlined into record() through push_back.
  const size_t user = locationFrame(frames);
  EXPECT_EQ(user, 0u);
  EXPECT_EQ(frames[user].function, "record(int)");
  EXPECT_EQ(fileBasename(frames[user].file), "sym_pie.cpp");
  EXPECT_EQ(frames[user].line, run.line("push_line"));
  EXPECT_EQ(frames[user + 1].function, "main");

  const std::vector<Frame> chain = symbolizer.resolveInlineChain(stack[user], true);
  ASSERT_GE(chain.size(), 3u);
  EXPECT_TRUE(isPlumbing(chain.front())) << chain.front().function;
  EXPECT_EQ(fileBasename(chain.front().file), "new_allocator.h");
  const Frame& pushBack = chain[chain.size() - 2];
  EXPECT_EQ(pushBack.function, "std::vector<int, std::allocator<int> >::push_back(int const&)");
  EXPECT_EQ(fileBasename(pushBack.file), "stl_vector.h");
  EXPECT_EQ(chain.back().function, "record(int)");
  EXPECT_EQ(chain.back().line, run.line("push_line"));
}

TEST(SymbolizerPie, InlinedPushBackResolvesToTheUsersLine) {
  expectInlinedPushBackAtUsersLine("sym_pie");
}

TEST(SymbolizerNoPie, InlinedPushBackResolvesToTheUsersLine) {
  expectInlinedPushBackAtUsersLine("sym_nopie");
}

TEST(SymbolizerPie, StringGrowthLocatesTheCallerPastStringInternals) {
  const SampleRun& run = pieRun();
  Symbolizer symbolizer;
  std::vector<uint64_t> stack;
  const std::vector<Frame> frames = resolveCaptured(run, "append_stack", symbolizer, stack);

  // Given operator new <- basic_string::_M_mutate (out of line) <- appendText <- main <- libc.
  ASSERT_GE(frames.size(), 4u);
  EXPECT_NE(frames[0].function.find("std::__cxx11::basic_string<char"), std::string::npos)
      << frames[0].function;
  EXPECT_TRUE(isPlumbing(frames[0]));
  ASSERT_EQ(locationFrame(frames), 1u);
  EXPECT_EQ(frames[1].function, "appendText(char const*)");
  EXPECT_EQ(frames[1].line, run.line("append_line"));
  EXPECT_EQ(frameLabel(frames[1]),
            "appendText(char const*) at sym_pie.cpp:" + std::to_string(run.line("append_line")));
  EXPECT_EQ(frames[2].function, "main");
  EXPECT_EQ(fileBasename(frames[3].module), "libc.so.6");
  EXPECT_NE(frames[3].function, "");
  EXPECT_TRUE(isPlumbing(frames[3]));
}

TEST(SymbolizerPie, RepeatedLookupsGiveTheSameFrame) {
  const SampleRun& run = pieRun();
  Symbolizer symbolizer;
  symbolizer.addModule(run.module(fixture("sym_pie")));
  const Frame first = frameAt(symbolizer, run.address("return_address"), true);
  const Frame again = frameAt(symbolizer, run.address("return_address"), true);
  EXPECT_EQ(first.function, again.function);
  EXPECT_EQ(first.file, again.file);
  EXPECT_EQ(first.line, again.line);
}

TEST(SymbolizerStripped, SymbolTableOnlyGivesTheFunctionWithoutLine) {
  const SampleRun& run = pieRun();
  Symbolizer symbolizer;
  symbolizer.addModule(run.module(fixture("sym_pie.nodebug")));
  const Frame frame = frameAt(symbolizer, run.address("return_address"), true);
  EXPECT_EQ(frame.function, "symPieCaller(int)");
  EXPECT_EQ(frame.file, "");
  EXPECT_EQ(frame.line, 0);
  EXPECT_EQ(frameLabel(frame), "symPieCaller(int) in sym_pie.nodebug");
}

TEST(SymbolizerStripped, NoSymbolsGiveModulePlusOffset) {
  const SampleRun& run = pieRun();
  Symbolizer symbolizer;
  symbolizer.addModule(run.module(fixture("sym_pie.stripped")));
  const uint64_t address = run.address("return_address");
  const Frame frame = frameAt(symbolizer, address, true);
  EXPECT_EQ(frame.function, "");
  EXPECT_EQ(frame.line, 0);
  EXPECT_EQ(frame.module, fixture("sym_pie.stripped"));
  EXPECT_EQ(frame.offset, address - run.bias());
  char expected[64];
  std::snprintf(expected, sizeof expected, "sym_pie.stripped+%#llx (no symbol)",
                static_cast<unsigned long long>(frame.offset));
  EXPECT_EQ(frameLabel(frame), expected);
}

TEST(SymbolizerSplitDebug, DebugFileIsFoundByBuildIdUnderADebugRoot) {
  const SampleRun& run = pieRun();
  std::string buildId;
  for (unsigned char c : run.modules.at(0).buildId) {
    char hex[3];
    std::snprintf(hex, sizeof hex, "%02x", c);
    buildId += hex;
  }
  const fs::path root = fs::temp_directory_path() / ("sb-debug-" + std::to_string(getpid()));
  const fs::path debugFile =
      root / ".build-id" / buildId.substr(0, 2) / (buildId.substr(2) + ".debug");
  fs::create_directories(debugFile.parent_path());
  fs::copy_file(fixture("sym_pie.debug"), debugFile, fs::copy_options::overwrite_existing);

  Symbolizer withRoot(SymbolizerOptions{{root.string()}});
  withRoot.addModule(run.module(fixture("sym_pie.stripped")));
  const Frame found = frameAt(withRoot, run.address("return_address"), true);
  Symbolizer withoutRoot(SymbolizerOptions{{}});
  withoutRoot.addModule(run.module(fixture("sym_pie.stripped")));
  const Frame missing = frameAt(withoutRoot, run.address("return_address"), true);
  fs::remove_all(root);

  EXPECT_EQ(found.function, "symPieCaller(int)");
  EXPECT_EQ(fileBasename(found.file), "sym_pie.cpp");
  EXPECT_EQ(found.line, run.line("call_line"));
  EXPECT_EQ(missing.function, "");
  EXPECT_EQ(missing.line, 0);
}

TEST(SymbolizerMismatch, DifferentBuildIdRefusesToGuessLines) {
  const SampleRun& run = pieRun();
  Module module = run.module(fixture("sym_pie"));
  module.buildId[0] = static_cast<char>(module.buildId[0] ^ 0x5a);
  Symbolizer symbolizer;
  symbolizer.addModule(module);
  const Frame frame = frameAt(symbolizer, run.address("return_address"), true);
  EXPECT_EQ(frame.function, "");
  EXPECT_EQ(frame.line, 0);
  EXPECT_EQ(frame.note, "build-id mismatch");
  EXPECT_NE(frameLabel(frame).find("(build-id mismatch)"), std::string::npos);
}

TEST(SymbolizerMismatch, WithoutBuildIdAChangedLoadExtentIsRefused) {
  const SampleRun& run = pieRun();
  Module module = run.module(fixture("sym_pie"));
  module.buildId.clear();
  Symbolizer same;
  same.addModule(module);
  EXPECT_EQ(frameAt(same, run.address("return_address"), true).function, "symPieCaller(int)");

  module.size += 0x100000;
  Symbolizer changed;
  changed.addModule(module);
  const Frame frame = frameAt(changed, run.address("return_address"), true);
  EXPECT_EQ(frame.function, "");
  EXPECT_EQ(frame.note, "file changed since recording");
}

// Given a module whose file is missing or is not an ELF file: module+offset, quickly.
Frame resolveInOddModule(const std::string& path) {
  Symbolizer symbolizer;
  symbolizer.addModule({.loadAddress = 0x7f0000000000, .size = 0x10000, .path = path});
  return frameAt(symbolizer, 0x7f0000001234, true);
}

TEST(SymbolizerMissing, MissingFileGivesModulePlusOffset) {
  const Frame frame = resolveInOddModule("/nonexistent/libgone.so");
  EXPECT_EQ(frame.module, "/nonexistent/libgone.so");
  EXPECT_EQ(frame.offset, 0x1234u);
  EXPECT_EQ(frame.function, "");
  EXPECT_EQ(frame.note, "cannot open: No such file or directory");
  EXPECT_EQ(frameLabel(frame), "libgone.so+0x1234 (cannot open: No such file or directory)");
}

TEST(SymbolizerMissing, OddFilesNeverCrashOrBlock) {
  const fs::path dir = fs::temp_directory_path() / ("sb-odd-" + std::to_string(getpid()));
  fs::create_directories(dir);
  const std::string fifo = (dir / "fifo").string();
  ASSERT_EQ(mkfifo(fifo.c_str(), 0600), 0);
  std::ofstream(dir / "text") << "not an ELF file\n";
  std::ofstream(dir / "empty").close();
  {
    std::ifstream elf(fixture("sym_pie"), std::ios::binary);
    std::string head(4096, '\0');
    elf.read(head.data(), static_cast<std::streamsize>(head.size()));
    std::ofstream(dir / "truncated", std::ios::binary) << head;
  }

  EXPECT_EQ(resolveInOddModule(fifo).note, "not a regular file");
  EXPECT_EQ(resolveInOddModule(dir.string()).note, "not a regular file");
  EXPECT_EQ(resolveInOddModule("/dev/zero").note, "not a regular file");
  EXPECT_EQ(resolveInOddModule((dir / "text").string()).note, "not an ELF file");
  EXPECT_EQ(resolveInOddModule((dir / "empty").string()).note, "not an ELF file");
  const Frame truncated = resolveInOddModule((dir / "truncated").string());
  EXPECT_EQ(truncated.function, "");
  EXPECT_EQ(truncated.line, 0);
  fs::remove_all(dir);
}

TEST(SymbolizerModules, AddressOutsideEveryModuleIsUnknown) {
  Symbolizer symbolizer;
  symbolizer.addModule({.loadAddress = 0x400000, .size = 0x1000, .path = "/bin/app"});
  const Frame frame = frameAt(symbolizer, 0x500000, true);
  EXPECT_EQ(frame.module, "");
  EXPECT_EQ(frame.function, "");
  EXPECT_EQ(frame.address, 0x500000u);
  EXPECT_EQ(frameLabel(frame), "0x500000");
  EXPECT_EQ(frameAt(symbolizer, 0, true).module, "");
}

TEST(SymbolizerModules, LaterOverlappingModuleReplacesTheEarlierOne) {
  const SampleRun& run = pieRun();
  Symbolizer symbolizer;
  symbolizer.addModule(run.module(fixture("sym_pie")));
  const uint64_t address = run.address("return_address");
  ASSERT_EQ(frameAt(symbolizer, address, true).function, "symPieCaller(int)");

  // As after dlclose + dlopen of another library at an overlapping range.
  symbolizer.addModule(
      {.loadAddress = run.bias() + 0x1000, .size = 0x8000, .path = "/nonexistent/libnew.so"});
  const Frame frame = frameAt(symbolizer, address, true);
  EXPECT_EQ(frame.module, "/nonexistent/libnew.so");
  EXPECT_EQ(frame.function, "");
}

struct LoadedObject {
  Module module;
  bool found = false;
};

// The module record the preload would write for a loaded object whose path contains part.
LoadedObject describeLoaded(const std::string& part) {
  struct Search {
    std::string part;
    LoadedObject result;
  } search{part, {}};
  dl_iterate_phdr(
      [](dl_phdr_info* info, size_t, void* data) {
        auto& s = *static_cast<Search*>(data);
        const std::string name = info->dlpi_name ? info->dlpi_name : "";
        if (name.find(s.part) == std::string::npos) return 0;
        s.result.found = true;
        s.result.module.path = name;
        s.result.module.loadAddress = info->dlpi_addr;
        for (int i = 0; i < info->dlpi_phnum; ++i) {
          const ElfW(Phdr)& ph = info->dlpi_phdr[i];
          if (ph.p_type == PT_LOAD) {
            s.result.module.size =
                std::max<uint64_t>(s.result.module.size, ph.p_vaddr + ph.p_memsz);
          }
        }
        return 1;
      },
      &search);
  return search.result;
}

void* t_callbackReturn = nullptr;

[[gnu::noinline]] int recordCaller(int value) {
  t_callbackReturn = __builtin_return_address(0);
  asm volatile("" ::: "memory");
  return value + 1;
}

TEST(SymbolizerSharedLib, DlopenedLibraryResolvesAtItsBias) {
  const std::string path = fixture("libsym_lib.so");
  void* handle = dlopen(path.c_str(), RTLD_NOW | RTLD_LOCAL);
  ASSERT_NE(handle, nullptr) << dlerror();
  auto invokeAddress = reinterpret_cast<void* (*)()>(dlsym(handle, "symLibInvokeAddress"));
  auto invokeLine = reinterpret_cast<int (*)()>(dlsym(handle, "symLibInvokeLine"));
  auto callLine = reinterpret_cast<int (*)()>(dlsym(handle, "symLibCallLine"));
  ASSERT_TRUE(invokeAddress && invokeLine && callLine);
  auto invoke = reinterpret_cast<int (*)(int (*)(int), int)>(invokeAddress());
  ASSERT_EQ(invoke(recordCaller, 4), 11);
  const LoadedObject lib = describeLoaded("libsym_lib.so");
  ASSERT_TRUE(lib.found);

  Symbolizer symbolizer;
  symbolizer.addModule(lib.module);
  const Frame entry = frameAt(symbolizer, reinterpret_cast<uint64_t>(invokeAddress()), false);
  const Frame call = frameAt(symbolizer, reinterpret_cast<uint64_t>(t_callbackReturn), true);
  const int expectedEntryLine = invokeLine();
  const int expectedCallLine = callLine();
  dlclose(handle);

  EXPECT_EQ(entry.function, "symlib::invoke(int (*)(int), int)");
  EXPECT_EQ(fileBasename(entry.file), "sym_lib.cpp");
  EXPECT_EQ(entry.line, expectedEntryLine);
  EXPECT_EQ(call.function, "symlib::invoke(int (*)(int), int)");
  EXPECT_EQ(call.line, expectedCallLine);
  EXPECT_EQ(call.module, path);
  EXPECT_FALSE(isPlumbing(call));
}

TEST(SymbolizerLibc, LibcFramesResolveByDynamicSymbolAndArePlumbing) {
  const LoadedObject libc = describeLoaded("libc.so");
  ASSERT_TRUE(libc.found);
  void* handle = dlopen("libc.so.6", RTLD_NOW | RTLD_NOLOAD);
  ASSERT_NE(handle, nullptr);
  const auto address = reinterpret_cast<uint64_t>(dlsym(handle, "getpid"));
  dlclose(handle);

  Symbolizer symbolizer;
  symbolizer.addModule(libc.module);
  const Frame frame = frameAt(symbolizer, address, false);
  EXPECT_NE(frame.function.find("getpid"), std::string::npos) << frame.function;
  EXPECT_EQ(frame.module, libc.module.path);
  EXPECT_TRUE(isPlumbing(frame));
}

}  // namespace
