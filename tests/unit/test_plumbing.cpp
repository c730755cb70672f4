// Which frames are plumbing, and which frame a user should open: demangled-name parsing,
// the namespace, header and module rules, and locationFrame on realistic stacks.

#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "symbols/demangle.hpp"
#include "symbols/plumbing.hpp"
#include "symbols/symbolizer.hpp"

namespace {

using namespace slowburn::analyze;

Frame frame(std::string function, std::string file = "", int line = 0,
            std::string module = "/srv/app/server") {
  Frame f;
  f.function = std::move(function);
  f.file = std::move(file);
  f.line = line;
  f.module = std::move(module);
  return f;
}

const char* kVectorTcc = "/usr/include/c++/12/bits/vector.tcc";
const char* kStringTcc = "/usr/include/c++/12/bits/basic_string.tcc";

TEST(PlumbingNames, QualifiedNameDropsReturnTypeAndParameters) {
  EXPECT_EQ(qualifiedName("void std::vector<int, std::allocator<int> >::_M_realloc_insert<int "
                          "const&>(__gnu_cxx::__normal_iterator<int*, std::vector<int, "
                          "std::allocator<int> > >, int const&)"),
            "std::vector<int, std::allocator<int> >::_M_realloc_insert<int const&>");
  EXPECT_EQ(qualifiedName("handle(int)"), "handle");
  EXPECT_EQ(qualifiedName("malloc"), "malloc");
  EXPECT_EQ(qualifiedName("operator new(unsigned long)"), "operator new");
  EXPECT_EQ(qualifiedName("operator new[](unsigned long, std::nothrow_t const&)"),
            "operator new[]");
  EXPECT_EQ(qualifiedName("operator delete(void*, unsigned long)"), "operator delete");
  EXPECT_EQ(qualifiedName("app::Cache::operator()(int) const"), "app::Cache::operator()");
  EXPECT_EQ(qualifiedName("app::Key::operator<(app::Key const&) const"), "app::Key::operator<");
  EXPECT_EQ(qualifiedName("std::ostream& operator<< <char>(std::ostream&, app::Row const&)"),
            "operator<< <char>");
  EXPECT_EQ(qualifiedName("app::Buffer::operator std::__cxx11::basic_string<char, "
                          "std::char_traits<char>, std::allocator<char> >() const"),
            "app::Buffer::operator std::__cxx11::basic_string<char, std::char_traits<char>, "
            "std::allocator<char> >");
  EXPECT_EQ(qualifiedName("(anonymous namespace)::load(char const*)"),
            "(anonymous namespace)::load");
  EXPECT_EQ(qualifiedName("handle(int)::{lambda(int)#1}::operator()(int) const"), "handle");
  EXPECT_EQ(qualifiedName("std::vector<int, std::allocator<int> >& app::cache<int>()"),
            "app::cache<int>");
  EXPECT_EQ(qualifiedName("unsigned long app::count<std::vector<int> >(std::vector<int> const&)"),
            "app::count<std::vector<int> >");
  EXPECT_EQ(qualifiedName("decltype (::new ((void*)(0)) std::__cxx11::basic_string<char>((declval<"
                          "std::__cxx11::basic_string<char> const&>)())) std::construct_at<std::_"
                          "_cxx11::basic_string<char>, std::__cxx11::basic_string<char> const&>(st"
                          "d::__cxx11::basic_string<char>*, std::__cxx11::basic_string<char> "
                          "const&)"),
            "std::construct_at<std::__cxx11::basic_string<char>, std::__cxx11::basic_string<char> "
            "const&>");
  EXPECT_EQ(qualifiedName("decltype(app::make()) app::wrap<int>(int)"), "app::wrap<int>");
  EXPECT_EQ(qualifiedName("mydecltype(int)"), "mydecltype");
}

TEST(PlumbingNames, DemangleGivesReadableNamesAndLeavesCNamesAlone) {
  EXPECT_EQ(demangle("_Z6handlei"), "handle(int)");
  EXPECT_EQ(demangle("_Znwm"), "operator new(unsigned long)");
  EXPECT_EQ(demangle("malloc"), "malloc");
  EXPECT_EQ(demangle("i"), "i");
  EXPECT_EQ(demangle("_Z!!broken"), "_Z!!broken");
  EXPECT_EQ(demangle(nullptr), "");
  EXPECT_EQ(demangle("__libc_start_main@@GLIBC_2.34"), "__libc_start_main");
  EXPECT_EQ(demangle("_Znwm@GLIBCXX_3.4"), "operator new(unsigned long)");
}

TEST(PlumbingRules, AllocatorEntryPointsArePlumbing) {
  for (const char* name :
       {"operator new(unsigned long)", "operator new[](unsigned long)",
        "operator new(unsigned long, std::align_val_t)", "malloc", "calloc", "realloc",
        "posix_memalign", "aligned_alloc", "strdup", "read", "recv"}) {
    EXPECT_TRUE(isAllocatorEntry(name)) << name;
    EXPECT_TRUE(isPlumbing(frame(name))) << name;
  }
  EXPECT_FALSE(isAllocatorEntry("app::Pool::malloc(unsigned long)"));
  EXPECT_FALSE(isAllocatorEntry("readConfig(char const*)"));
}

TEST(PlumbingRules, LibraryNamespacesArePlumbingWhereverTheyAreDefined) {
  for (const char* name :
       {"std::vector<int, std::allocator<int> >::push_back(int const&)",
        "std::__cxx11::basic_string<char, std::char_traits<char>, std::allocator<char> "
        ">::_M_mutate(unsigned long, unsigned long, char const*, unsigned long)",
        "std::_Hashtable<int, std::pair<int const, int>, std::allocator<std::pair<int const, int> "
        ">, std::__detail::_Select1st, std::equal_to<int>, std::hash<int>, "
        "std::__detail::_Mod_range_hashing, std::__detail::_Default_ranged_hash, "
        "std::__detail::_Prime_rehash_policy, std::__detail::_Hashtable_traits<false, false, "
        "true> >::_M_rehash(unsigned long, unsigned long const&)",
        "std::_Rb_tree_insert_and_rebalance(bool, std::_Rb_tree_node_base*, "
        "std::_Rb_tree_node_base*, std::_Rb_tree_node_base&)",
        "std::deque<int, std::allocator<int> >::_M_push_back_aux<int const&>(int const&)",
        "__gnu_cxx::new_allocator<char>::allocate(unsigned long, void const*)",
        "std::__new_allocator<int>::allocate(unsigned long, void const*)",
        "std::unique_ptr<app::Node, std::default_delete<app::Node> > std::make_unique<app::Node>()",
        "std::__shared_count<(__gnu_cxx::_Lock_policy)2>::__shared_count<app::Node, "
        "std::allocator<app::Node>>(app::Node*&, std::_Sp_alloc_shared_tag<std::allocator<app::"
        "Node> >)",
        "__cxxabiv1::__cxa_allocate_exception(unsigned long)"}) {
    EXPECT_TRUE(isLibraryNamespace(name)) << name;
    EXPECT_TRUE(isPlumbing(frame(name, kVectorTcc, 453))) << name;
    EXPECT_TRUE(isPlumbing(frame(name))) << name << " without debug info";
  }
}

TEST(PlumbingRules, UserFunctionsTakingOrReturningStdTypesAreTheUsers) {
  for (const char* name : {"handle(int)",
                           "app::Server::accept(std::__cxx11::basic_string<char, "
                           "std::char_traits<char>, std::allocator<char> > const&)",
                           "std::vector<int, std::allocator<int> >& app::cache<int>()",
                           "void app::fill<std::vector<int> >(std::vector<int>&)",
                           "(anonymous namespace)::load(char const*)", "main",
                           "handle(int)::{lambda(int)#1}::operator()(int) const"}) {
    EXPECT_FALSE(isLibraryNamespace(name)) << name;
    EXPECT_FALSE(isPlumbing(frame(name, "/srv/app/server.cpp", 12))) << name;
  }
}

TEST(PlumbingRules, StdSpecialisationInTheUsersSourceIsTheUsers) {
  const char* name = "std::hash<app::Key>::operator()(app::Key const&) const";
  EXPECT_FALSE(isPlumbing(frame(name, "/srv/app/key.hpp", 30)));
  EXPECT_TRUE(isPlumbing(frame(name, "/usr/include/c++/12/bits/functional_hash.h", 30)));
}

TEST(PlumbingRules, UnnamedFramesArePlumbingOnlyInSystemHeaders) {
  EXPECT_TRUE(isPlumbing(frame("", "/usr/include/c++/12/bits/stl_vector.h", 1287)));
  EXPECT_FALSE(isPlumbing(frame("", "/srv/app/server.cpp", 12)));
  EXPECT_FALSE(isPlumbing(frame("")));  // a stripped program's own code
  EXPECT_FALSE(isPlumbing(frame("", "", 0, "")));
}

TEST(PlumbingRules, SystemHeadersAreRecognisedWhereverTheToolchainLives) {
  EXPECT_TRUE(isSystemHeader("/usr/include/c++/12/bits/stl_vector.h"));
  EXPECT_TRUE(isSystemHeader("/usr/include/x86_64-linux-gnu/bits/stdio2.h"));
  EXPECT_TRUE(isSystemHeader("/usr/lib/gcc/x86_64-linux-gnu/12/include/stddef.h"));
  EXPECT_TRUE(isSystemHeader("/usr/lib/llvm-14/include/c++/v1/vector"));
  EXPECT_TRUE(isSystemHeader("/opt/gcc-13/include/c++/13/bits/stl_vector.h"));
  EXPECT_FALSE(isSystemHeader("/usr/src/app/include/cache.hpp"));
  EXPECT_FALSE(isSystemHeader("server.cpp"));
  EXPECT_FALSE(isSystemHeader(""));
}

TEST(PlumbingRules, RuntimeModulesArePlumbingWhateverTheFunction) {
  for (const char* module :
       {"/lib/x86_64-linux-gnu/libc.so.6", "/lib/x86_64-linux-gnu/libstdc++.so.6",
        "/usr/lib/libc++.so.1", "/usr/lib/libc++abi.so.1", "/lib64/ld-linux-x86-64.so.2",
        "/lib/x86_64-linux-gnu/libgcc_s.so.1", "/opt/slowburn/lib/libslowburn.so",
        "/lib/x86_64-linux-gnu/libc-2.31.so", "/lib/x86_64-linux-gnu/ld-2.31.so",
        "/lib/x86_64-linux-gnu/libpthread.so.0"}) {
    EXPECT_TRUE(isRuntimeModule(module)) << module;
    EXPECT_TRUE(isPlumbing(frame("handle(int)", "", 0, module))) << module;
  }
  for (const char* module : {"/srv/app/server", "/usr/lib/x86_64-linux-gnu/libcrypto.so.3",
                             "/usr/lib/libcurl.so.4", "/srv/app/libcache.so", "", "ld-config"}) {
    EXPECT_FALSE(isRuntimeModule(module)) << module;
  }
}

TEST(PlumbingLocation, SkipsOperatorNewAndVectorInternalsToTheHandler) {
  // The incident's stack: operator new <- vector::_M_realloc_insert <- handle(int) <- main.
  const std::vector<Frame> frames = {
      frame("operator new(unsigned long)", "", 0, "/lib/x86_64-linux-gnu/libstdc++.so.6"),
      frame("void std::vector<std::__cxx11::basic_string<char, std::char_traits<char>, "
            "std::allocator<char> >, std::allocator<std::__cxx11::basic_string<char, "
            "std::char_traits<char>, std::allocator<char> > > "
            ">::_M_realloc_insert<std::__cxx11::basic_string<char, std::char_traits<char>, "
            "std::allocator<char> > const&>(__gnu_cxx::__normal_iterator<std::__cxx11::basic_"
            "string<char, std::char_traits<char>, std::allocator<char> >*, "
            "std::vector<std::__cxx11::basic_string<char, std::char_traits<char>, "
            "std::allocator<char> >, std::allocator<std::__cxx11::basic_string<char, "
            "std::char_traits<char>, std::allocator<char> > > > >, "
            "std::__cxx11::basic_string<char, std::char_traits<char>, std::allocator<char> > "
            "const&)",
            kVectorTcc, 453),
      frame("handle(int)", "/srv/app/server.cpp", 12),
      frame("main", "/srv/app/server.cpp", 40),
      frame("__libc_start_call_main", "", 0, "/lib/x86_64-linux-gnu/libc.so.6"),
  };
  EXPECT_EQ(locationFrame(frames), 2u);
}

TEST(PlumbingLocation, SkipsStringInternalsInLibstdcxxAndInlinedCopies) {
  const std::vector<Frame> frames = {
      frame("std::__cxx11::basic_string<char, std::char_traits<char>, std::allocator<char> "
            ">::_M_mutate(unsigned long, unsigned long, char const*, unsigned long)",
            "", 0, "/lib/x86_64-linux-gnu/libstdc++.so.6"),
      frame("std::__cxx11::basic_string<char, std::char_traits<char>, std::allocator<char> "
            ">::_M_append(char const*, unsigned long)",
            kStringTcc, 420),
      frame("", "/usr/include/c++/12/bits/basic_string.h", 1437),
      frame("Session::read()", "/srv/app/session.cpp", 88),
  };
  EXPECT_EQ(locationFrame(frames), 3u);
}

TEST(PlumbingLocation, SkipsUnqualifiedInlinedContainerFramesOfAnonymousTypes) {
  // std::map<int, (anonymous)::Entry>::emplace inlined at -O1: DWARF names the inlined
  // frames without their scope, so only their headers mark them as the library's.
  const std::vector<Frame> frames = {
      frame("allocate", "/usr/include/c++/12/bits/new_allocator.h", 137),
      frame("allocate", "/usr/include/c++/12/bits/allocator.h", 188),
      frame("_M_get_node", "/usr/include/c++/12/bits/stl_tree.h", 561),
      frame("_M_create_node<int&, (anonymous namespace)::Entry>",
            "/usr/include/c++/12/bits/stl_tree.h", 611),
      frame("emplace", "/usr/include/c++/12/bits/stl_map.h", 608),
      frame("remember(int)", "/srv/app/cache.cpp", 21),
      frame("main", "/srv/app/cache.cpp", 30),
  };
  EXPECT_EQ(locationFrame(frames), 5u);
  EXPECT_TRUE(isPlumbing(frame("push_back", "/usr/include/c++/12/bits/stl_deque.h", 1290)));
}

TEST(PlumbingLocation, AMappingMadeInsideAnAllocatorIsLocatedWhereTheAllocatorWasCalled) {
  // jemalloc linked into the program: its frames live in the program's own module, with
  // names no rule knows; the mapping was made on behalf of an operator new.
  const std::vector<Frame> frames = {
      frame("os_pages_map.constprop.0"),
      frame("je_pages_map"),
      frame("je_extent_alloc_mmap"),
      frame("je_arena_extent_alloc_large"),
      frame("operator new(unsigned long)"),
      frame("std::__cxx11::basic_string<char, std::char_traits<char>, std::allocator<char> "
            ">::_M_create(unsigned long&, unsigned long)",
            "", 0, "/lib/x86_64-linux-gnu/libstdc++.so.6"),
      frame("handle(int)", "/srv/app/server.cpp", 12),
      frame("main", "/srv/app/server.cpp", 40),
  };
  EXPECT_EQ(locationFrame(frames), 0u);  // the first rule alone stops in jemalloc
  EXPECT_EQ(userFramePastAllocator(frames), 6u);
  // A mapping the program made itself has no allocator to look past.
  const std::vector<Frame> own = {frame("Arena::grow()", "/srv/app/arena.cpp", 30),
                                  frame("main", "/srv/app/server.cpp", 40)};
  EXPECT_EQ(userFramePastAllocator(own), std::nullopt);
  for (const char* name : {"mmap", "munmap", "mremap", "sbrk", "mallocx", "tc_malloc", "mi_malloc",
                           "PyObject_Malloc"}) {
    EXPECT_TRUE(isAllocatorEntry(name)) << name;
  }
}

TEST(PlumbingLocation, FirstFrameWhenNothingIsPlumbing) {
  EXPECT_EQ(locationFrame(std::vector<Frame>{frame("handle(int)", "/srv/app/server.cpp", 12)}), 0u);
}

TEST(PlumbingLocation, ZeroWhenEveryFrameIsPlumbingOrThereAreNone) {
  EXPECT_EQ(locationFrame({}), 0u);
  EXPECT_EQ(
      locationFrame(std::vector<Frame>{frame("malloc", "", 0, "/lib/x86_64-linux-gnu/libc.so.6"),
                                       frame("_dl_init", "", 0, "/lib64/ld-linux-x86-64.so.2")}),
      0u);
}

}  // namespace
