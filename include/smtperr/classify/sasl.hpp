// smtperr — SMTP error mapping for mail clients.
// Distributed under the Boost Software License, Version 1.0.

#ifndef SMTPERR_CLASSIFY_SASL_HPP
#define SMTPERR_CLASSIFY_SASL_HPP

#include <smtperr/config.hpp>
#include <smtperr/result.hpp>

#include <string>
#include <string_view>

namespace smtperr {

/** The error a server reports in an XOAUTH2 or OAUTHBEARER `334` challenge.

    @par Specification
    RFC 7628 §3.2.2: a JSON object with "status" (an HTTP-like code or an OAuth error such
    as "invalid_token"), optional "scope" and "openid-configuration" (or Google's
    "schemes"), sent base64-encoded.
*/
struct oauth_challenge {
    std::string status;   ///< "401", "400", "invalid_token", …
    std::string scope;    ///< Space-separated scopes the server wants, or "".
    std::string schemes;  ///< "Bearer" or "", XOAUTH2 only.

    /// True when the status says the token is missing, expired or lacks scope.
    SMTPERR_DECL bool token_invalid() const noexcept;
};

/** Decodes the base64 text of a `334` challenge and parses its JSON object. Blanks (SP,
    HTAB, CR) around the base64 are ignored.

    @returns `errc::sasl_invalid_base64` or `errc::sasl_invalid_json` for malformed input;
    never throws for bad input and reads at most `challenge.size()` octets.
*/
SMTPERR_DECL result<oauth_challenge> decode_oauth_challenge(std::string_view challenge);

/// Standard base64 (RFC 4648 §4) decoding; `errc::sasl_invalid_base64` on bad input.
SMTPERR_DECL result<std::string> base64_decode(std::string_view in);

/// Standard base64 encoding.
SMTPERR_DECL std::string base64_encode(std::string_view in);

}  // namespace smtperr

#endif  // SMTPERR_CLASSIFY_SASL_HPP
