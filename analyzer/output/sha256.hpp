#pragma once
// SHA-256 (FIPS 180-4), for the html report's Content-Security-Policy: the browser runs the
// page's own script and style only when their hashes match, so text that slipped past the
// escaping could still never run as script.

#include <array>
#include <cstdint>
#include <string>
#include <string_view>

namespace slowburn::analyze {

std::array<uint8_t, 32> sha256(std::string_view data);

// "'sha256-<base64 digest>'", a CSP source expression for an inline element's text.
std::string cspHashSource(std::string_view elementText);

}  // namespace slowburn::analyze
