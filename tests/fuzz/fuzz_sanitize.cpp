// smtperr — SMTP error mapping for mail clients.
// Distributed under the Boost Software License, Version 1.0.

// libFuzzer target (hostile-servers P-02) for smtperr::sanitize_server_text(), the last line of
// defence between a hostile server's text and the user's screen. Also replayed by
// smtperr_fuzz_regressions_sanitize.
//
// Input layout: the low three bits of the first byte choose the length cap; the rest is the
// server text. The output must be valid UTF-8 without C0/C1 controls (ESC included), bidi
// overrides, isolates or marks, zero-width or tag characters, with no run of spaces and no
// space at either end, within the cap, and sanitizing it again must give it back unchanged.

#include <smtperr/messages/messages.hpp>

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

#include "fuzz_check.hpp"

namespace smtperr_fuzz {
namespace {

const std::size_t caps[] = {smtperr::default_server_text_limit, 1, 2, 3, 10, 90, 1000, 4096};

void check_output(std::string_view out, std::size_t cap) {
    const char* bad = unfit_to_show(out);
    SMTPERR_FUZZ_CHECK(bad == nullptr, bad == nullptr ? "" : bad);
    const auto n = utf8_length(out);
    SMTPERR_FUZZ_CHECK(n && *n <= cap, "output longer than the cap");
    SMTPERR_FUZZ_CHECK(out.find("  ") == std::string_view::npos, "run of spaces in the output");
    SMTPERR_FUZZ_CHECK(out.empty() || (out.front() != ' ' && out.back() != ' '),
                       "space at the start or the end");
}

}  // namespace
}  // namespace smtperr_fuzz

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    using namespace smtperr_fuzz;
    if (size == 0) {
        return 0;
    }
    const std::size_t cap = caps[data[0] & 7U];
    const std::string_view text(reinterpret_cast<const char*>(data) + 1, size - 1);

    const std::string out = smtperr::sanitize_server_text(text, cap);
    check_output(out, cap);
    SMTPERR_FUZZ_CHECK(smtperr::sanitize_server_text(out, cap) == out, "not idempotent");
    // The default cap is what list views use.
    if (cap != smtperr::default_server_text_limit) {
        const std::string def = smtperr::sanitize_server_text(text);
        check_output(def, smtperr::default_server_text_limit);
        SMTPERR_FUZZ_CHECK(smtperr::sanitize_server_text(def) == def, "not idempotent (default)");
    }
    return 0;
}
