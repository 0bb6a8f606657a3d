// smtperr — SMTP error mapping for mail clients.
// Distributed under the Boost Software License, Version 1.0.

// libFuzzer target for the SASL challenge decoder: smtperr::decode_oauth_challenge() and the
// base64 functions, plus the classifier's handling of a 334 challenge during XOAUTH2 and
// OAUTHBEARER. Also replayed by smtperr_fuzz_regressions_sasl.
//
// The input is used twice: as the base64 text of a 334 challenge as the server sent it, and
// base64-encoded by us, so the JSON reader sees arbitrary decoded bytes too. Nothing may
// throw or crash, errors must be the two documented ones, and base64 must round-trip.

#include <smtperr/classify/classify.hpp>
#include <smtperr/classify/sasl.hpp>
#include <smtperr/error/errc.hpp>
#include <smtperr/error/reply_code.hpp>
#include <smtperr/reply/reply.hpp>

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <system_error>

#include "fuzz_check.hpp"

namespace smtperr_fuzz {
namespace {

bool is_base64_char(char c) {
    return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '+' ||
           c == '/' || c == '=';
}

void check_challenge(std::string_view challenge) {
    const auto r = smtperr::decode_oauth_challenge(challenge);
    // The decoder ignores blanks around the base64 (servers pad the line).
    const auto first = challenge.find_first_not_of(" \t\r");
    challenge = first == std::string_view::npos
                    ? std::string_view{}
                    : challenge.substr(first, challenge.find_last_not_of(" \t\r") - first + 1);
    if (!r) {
        const std::error_code ec = r.error();
        SMTPERR_FUZZ_CHECK(
            ec == smtperr::errc::sasl_invalid_base64 || ec == smtperr::errc::sasl_invalid_json,
            ec.message());
        SMTPERR_FUZZ_CHECK(!ec.message().empty(), "error without a message");
        // Only text that decodes can fail as JSON.
        if (ec == smtperr::errc::sasl_invalid_json) {
            SMTPERR_FUZZ_CHECK(smtperr::base64_decode(challenge).has_value(),
                               "invalid_json for text that is not base64");
        }
        return;
    }
    const auto& ch = r.value();
    // Members are copied out of the decoded JSON: never longer than what was decoded.
    const auto decoded = smtperr::base64_decode(challenge);
    SMTPERR_FUZZ_CHECK(decoded.has_value(), "a challenge decoded that base64_decode() rejects");
    SMTPERR_FUZZ_CHECK(ch.status.size() <= decoded.value().size() &&
                           ch.scope.size() <= decoded.value().size() &&
                           ch.schemes.size() <= decoded.value().size(),
                       "a member longer than the decoded challenge");
    static_cast<void>(ch.token_invalid());
}

void check_base64(std::string_view bytes) {
    // Everything encodes to the alphabet and decodes back.
    const std::string enc = smtperr::base64_encode(bytes);
    SMTPERR_FUZZ_CHECK(enc.size() == (bytes.size() + 2) / 3 * 4, "encoded length");
    for (const char c : enc) {
        SMTPERR_FUZZ_CHECK(is_base64_char(c), "encoder wrote a character outside base64");
    }
    const auto dec = smtperr::base64_decode(enc);
    SMTPERR_FUZZ_CHECK(dec.has_value() && dec.value() == bytes, "encode/decode round trip");

    // Arbitrary text: decodes or fails with the one error; what decodes re-encodes to text
    // that decodes to the same bytes.
    const auto any = smtperr::base64_decode(bytes);
    if (!any) {
        SMTPERR_FUZZ_CHECK(any.error() == smtperr::errc::sasl_invalid_base64,
                           any.error().message());
        return;
    }
    SMTPERR_FUZZ_CHECK(any.value().size() <= bytes.size(), "decoded longer than its text");
    const auto again = smtperr::base64_decode(smtperr::base64_encode(any.value()));
    SMTPERR_FUZZ_CHECK(again.has_value() && again.value() == any.value(),
                       "decode/encode/decode round trip");
}

/// The classifier on "334 <challenge>" during AUTH with an OAuth mechanism: always the
/// OAuth token condition (a garbled report too: one refresh, hostile-servers G-02), never
/// success; for a malformed challenge the error code is the decoder's.
void check_classified(std::string_view challenge) {
    if (challenge.find_first_of("\r\n") != std::string_view::npos) {
        return;
    }
    const auto parsed = smtperr::parse_reply("334 " + std::string(challenge));
    if (!parsed) {
        return;
    }
    for (const std::string_view mech : {"XOAUTH2", "OAUTHBEARER"}) {
        const smtperr::diagnosis d = smtperr::classify(
            parsed.value().view(), {smtperr::phase::auth, "smtp.gmail.com", mech});
        const std::string_view text = parsed.value().text;
        const bool decodes = !text.empty() && smtperr::decode_oauth_challenge(text).has_value();
        if (!text.empty()) {
            SMTPERR_FUZZ_CHECK(d.condition == smtperr::condition::oauth_token_invalid,
                               smtperr::to_string(d.condition));
            SMTPERR_FUZZ_CHECK(decodes == (d.code.category() == smtperr::reply_category()),
                               d.code.message());
        }
    }
}

}  // namespace
}  // namespace smtperr_fuzz

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    using namespace smtperr_fuzz;
    const std::string_view in(reinterpret_cast<const char*>(data), size);
    check_challenge(in);
    check_challenge(smtperr::base64_encode(in));
    check_base64(in);
    check_classified(in);
    return 0;
}
