#pragma once
// The frame rule at an address, read from the loaded object's own .eh_frame: the object
// is found with _dl_find_object (lock-free, no allocation), its FDE by binary search in
// .eh_frame_hdr, and the CIE's and FDE's call-frame instructions are run up to the
// address (DWARF 5, section 6.4; the .eh_frame encodings of the LSB, "Exception Frames").
// Nothing here allocates or takes a lock, so it may run inside malloc.
//
// Only what FrameRule can express is followed; any other instruction or augmentation
// that matters to rsp, rbp or the return address makes the answer Unsupported.

#include <cstddef>
#include <cstdint>

#include "record/frame_rule.hpp"

namespace slowburn::preload::cfi {

// The rule for the instruction at pc (for a return address, pass it minus one: the call).
FrameRule ruleAt(uint64_t pc);

// The same from explicit sections (for tests): .eh_frame_hdr at hdr (mapped where it
// says, so its self-relative pointers resolve), pc as above.
FrameRule ruleFromHeader(const uint8_t* hdr, uint64_t pc);

// Runs the instructions of one CIE/FDE pair already located (for tests and for the
// linear fallback): fde points at the FDE's length field.
FrameRule ruleFromFde(const uint8_t* fde, uint64_t pc);

}  // namespace slowburn::preload::cfi
