// Symbolizer fixture: a shared library (built as libsym_lib.so) that the unit tests
// dlopen, call into, and then resolve offline against its recorded load bias.

namespace symlib {

int g_callLine = 0;

constexpr int kInvokeLine = __LINE__ + 1;
[[gnu::noinline]] int invoke(int (*callback)(int), int value) {
  g_callLine = __LINE__ + 1;
  const int r = callback(value);
  return r * 2 + 1;
}

}  // namespace symlib

extern "C" {

[[gnu::visibility("default")]] void* symLibInvokeAddress() {
  return reinterpret_cast<void*>(&symlib::invoke);
}

[[gnu::visibility("default")]] int symLibInvokeLine() { return symlib::kInvokeLine; }

[[gnu::visibility("default")]] int symLibCallLine() { return symlib::g_callLine; }
}
