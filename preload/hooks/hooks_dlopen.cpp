// The dlopen redirection of slowburn attach: the library loaded, its GOT entries (and those
// of the libraries it brought along) are redirected before the caller gets the handle.
//
// glibc's dlopen looks at its caller: a bare name is searched along the caller's DT_RPATH
// or DT_RUNPATH, and $ORIGIN means the caller's directory. Called from here, the caller
// would be this library, which has neither. So for a caller that has a search path of its
// own, the name is looked for where the loader would have looked for it, and $ORIGIN is
// expanded against the caller's directory; the result is then opened by its full path.
// Never exported: the preloaded library has no need of it and must not change whose
// dlopen it is.

#include <limits.h>
#include <link.h>
#include <unistd.h>

#include <cstring>

#include "hooks/got_redirect.hpp"
#include "hooks/hooks.hpp"
#include "hooks/originals.hpp"
#include "record/reentry_guard.hpp"
#include "support/page_memory.hpp"
#include "support/raw_io.hpp"

namespace slowburn::preload::hooks {
namespace {

constexpr size_t kSearchInfoBytes = 16 * 1024;

struct Scratch {
  char path[PATH_MAX];
  char origin[PATH_MAX];
  alignas(Dl_serinfo) unsigned char searchInfo[kSearchInfoBytes];
  alignas(Dl_serinfo) unsigned char ownSearchInfo[kSearchInfoBytes];
};

bool hasTag(const link_map* map, ElfW(Sxword) tag) {
  if (map == nullptr || map->l_ld == nullptr) return false;
  for (const ElfW(Dyn)* d = map->l_ld; d->d_tag != DT_NULL; ++d)
    if (d->d_tag == tag) return true;
  return false;
}

// The loader searches the caller's DT_RUNPATH, or else the DT_RPATHs of the caller and of
// the program; LD_LIBRARY_PATH and the system paths are the same for every caller.
bool hasOwnSearchPath(const link_map* caller) {
  if (hasTag(caller, DT_RUNPATH) || hasTag(caller, DT_RPATH)) return true;
  return hasTag(_r_debug.r_map, DT_RPATH);
}

// The caller's directory, as $ORIGIN means it; false when unknown.
bool originOf(const link_map* caller, char* out, size_t size) {
  if (caller->l_name != nullptr && caller->l_name[0] == '/') {
    std::strncpy(out, caller->l_name, size - 1);
    out[size - 1] = '\0';
  } else {
    const ssize_t n = raw::readlink("/proc/self/exe", out, size - 1);  // the program
    if (n <= 0) return false;
    out[n] = '\0';
  }
  char* slash = std::strrchr(out, '/');
  if (slash == nullptr) return false;
  *(slash == out ? slash + 1 : slash) = '\0';
  return true;
}

// file with $ORIGIN and ${ORIGIN} replaced by origin; false when it does not fit.
bool expandOrigin(const char* file, const char* origin, char* out, size_t size) {
  size_t n = 0;
  for (const char* p = file; *p != '\0';) {
    size_t skip = 0;
    if (std::strncmp(p, "$ORIGIN", 7) == 0 && !(p[7] == '_' || (p[7] >= 'A' && p[7] <= 'Z'))) {
      skip = 7;
    } else if (std::strncmp(p, "${ORIGIN}", 9) == 0) {
      skip = 9;
    }
    const char* piece = skip != 0 ? origin : p;
    const size_t len = skip != 0 ? std::strlen(origin) : 1;
    if (n + len + 1 > size) return false;
    std::memcpy(out + n, piece, len);
    n += len;
    p += skip != 0 ? skip : 1;
  }
  out[n] = '\0';
  return true;
}

// The directories the loader would search for map (RPATH, LD_LIBRARY_PATH, RUNPATH, then
// the system's), in out; false when they do not fit.
bool searchPathOf(link_map* map, unsigned char* out, size_t size) {
  auto* info = reinterpret_cast<Dl_serinfo*>(out);
  if (dlinfo(map, RTLD_DI_SERINFOSIZE, info) != 0 || info->dls_size > size) return false;
  return dlinfo(map, RTLD_DI_SERINFO, info) == 0;
}

// A bare name along the caller's own search path, as the loader would search it for that
// caller: the directories before those it shares with this library (which has no path of
// its own) at the end of the list, the system's. The rest, and ld.so.cache before the
// system directories, is the plain dlopen's to search.
void* openAlongSearchPath(const Originals& r, const char* file, int mode, link_map* caller,
                          Scratch& s) {
  Dl_info self;
  link_map* selfMap = nullptr;
  if (dladdr1(reinterpret_cast<void*>(&openAlongSearchPath), &self,
              reinterpret_cast<void**>(&selfMap), RTLD_DL_LINKMAP) == 0 ||
      !searchPathOf(caller, s.searchInfo, kSearchInfoBytes) ||
      !searchPathOf(selfMap, s.ownSearchInfo, kSearchInfoBytes)) {
    return nullptr;
  }
  const auto* theirs = reinterpret_cast<const Dl_serinfo*>(s.searchInfo);
  const auto* ours = reinterpret_cast<const Dl_serinfo*>(s.ownSearchInfo);
  unsigned own = theirs->dls_cnt;
  for (unsigned k = 1; k <= ours->dls_cnt && k <= theirs->dls_cnt; ++k) {
    if (std::strcmp(theirs->dls_serpath[theirs->dls_cnt - k].dls_name,
                    ours->dls_serpath[ours->dls_cnt - k].dls_name) != 0)
      break;
    own = theirs->dls_cnt - k;
  }
  const size_t fileLen = std::strlen(file);
  for (unsigned i = 0; i < own; ++i) {
    const char* dir = theirs->dls_serpath[i].dls_name;
    const size_t dirLen = std::strlen(dir);
    if (dirLen + 1 + fileLen + 1 > sizeof(s.path)) continue;
    std::memcpy(s.path, dir, dirLen);
    s.path[dirLen] = '/';
    std::memcpy(s.path + dirLen + 1, file, fileLen + 1);
    if (access(s.path, F_OK) != 0) continue;
    if (void* handle = r.dlopen(s.path, mode)) return handle;  // else keep looking, as ld.so
  }
  return nullptr;
}

void* openAsCaller(const Originals& r, const char* file, int mode, const void* callerAddress) {
  if (file == nullptr) return r.dlopen(file, mode);
  const bool dst = std::strchr(file, '$') != nullptr;
  const bool bare = std::strchr(file, '/') == nullptr;
  Dl_info where;
  link_map* caller = nullptr;
  if ((!dst && !bare) ||
      dladdr1(callerAddress, &where, reinterpret_cast<void**>(&caller), RTLD_DL_LINKMAP) == 0 ||
      caller == nullptr || (!dst && !hasOwnSearchPath(caller))) {
    return r.dlopen(file, mode);
  }
  auto* s = static_cast<Scratch*>(mapPages(sizeof(Scratch)));
  if (s == nullptr) return r.dlopen(file, mode);
  void* handle = nullptr;
  if (dst) {
    if (originOf(caller, s->origin, sizeof(s->origin)) &&
        expandOrigin(file, s->origin, s->path, sizeof(s->path))) {
      handle = r.dlopen(s->path, mode);
    }
  } else if (void* loaded = r.dlopen(file, mode | RTLD_NOLOAD)) {
    handle = loaded;  // the loader takes a library already loaded under that name
  } else {
    handle = openAlongSearchPath(r, file, mode, caller, *s);
  }
  unmapPages(s, sizeof(Scratch));
  // The last attempt is the plain one, so a failure reads as the loader's own.
  return handle != nullptr ? handle : r.dlopen(file, mode);
}

}  // namespace

void* dlopen(const char* file, int mode) noexcept {
  const Originals* r = originals();
  if (r == nullptr || r->dlopen == nullptr) [[unlikely]]
    return nullptr;
  const void* caller = __builtin_extract_return_addr(__builtin_return_address(0));
  void* handle = openAsCaller(*r, file, mode, caller);
  if (handle != nullptr) {
    ReentryGuard guard;
    ErrnoKeeper keepErrno;
    redirectNewModules();
  }
  return handle;
}

}  // namespace slowburn::preload::hooks
