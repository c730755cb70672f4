// The worst case for the operator new and delete hooks: a loop that does nothing but
// allocate 64 to 71 bytes with operator new and free them. Usage: new_delete N
#include <cstdlib>
#include <new>

int main(int argc, char** argv) {
  const long n = argc > 1 ? std::atol(argv[1]) : 1000000;
  for (long i = 0; i < n; ++i) {
    void* p = ::operator new(64 + static_cast<size_t>(i & 7));
    asm volatile("" : : "r"(p) : "memory");
    ::operator delete(p);
  }
  return 0;
}
