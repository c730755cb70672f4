// pl_exact linked with -Wl,-z,now: every symbol bound at load time, hooks included.
#include "pl_exact.cpp"
