#include "record/site_definition.hpp"

#include "lifecycle/lifecycle.hpp"

namespace slowburn::preload {
namespace {

[[gnu::tls_model("initial-exec")]] thread_local uint32_t t_token = 0;

// The shared counter a syscall site counts into on this channel, claimed once per epoch;
// threads that race agree on the first claim (a losing claim's slot stays unused).
uint32_t counterSlot(Channel& channel, SiteEntry& site, uint32_t epoch) {
  uint64_t tag = site.counterTag.load(std::memory_order_acquire);
  while ((tag >> 32) != epoch) {
    const uint64_t mine = uint64_t{epoch} << 32 | channel.claimCounter();
    if (site.counterTag.compare_exchange_strong(tag, mine, std::memory_order_acq_rel)) return mine;
  }
  return static_cast<uint32_t>(tag);
}

}  // namespace

// A push failed: if the collector gave up for good, say why and stop recording.
void pushFailed(Channel& channel) {
  if (channel.state() != CollectorState::Failed) return;
  channel.showFailure();
  disableRecording();
}

uint32_t threadToken(Runtime& rt) {
  if (t_token == 0) {
    uint32_t token = rt.nextThreadToken.fetch_add(1, std::memory_order_relaxed);
    if (token == 0) token = rt.nextThreadToken.fetch_add(1, std::memory_order_relaxed);
    t_token = token;
  }
  return t_token;
}

bool ensureDefined(Runtime& rt, Channel& channel, SiteEntry& site, uint32_t epoch,
                   const uint64_t* frames, uint32_t frameCount) {
  if (isDefined(site, epoch)) [[likely]]
    return true;
  if (!rt.modules.publishIfChanged(channel)) return false;
  const uint32_t counter =
      site.kind == format::SiteKind::Syscall ? counterSlot(channel, site, epoch) : kNoCounter;
  const uint64_t shape =
      siteDefShape(static_cast<uint8_t>(site.kind), static_cast<uint8_t>(site.op), frameCount);
  if (!channel.pushMessage(makeEvent(EventOp::SiteDef, counter, shape, site.id, 0), frames,
                           frameCount * sizeof(uint64_t))) {
    pushFailed(channel);
    return false;
  }
  site.definedEpoch.store(epoch, std::memory_order_release);
  return true;
}

}  // namespace slowburn::preload
