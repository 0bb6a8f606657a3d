// smtperr — SMTP error mapping for mail clients.
// Distributed under the Boost Software License, Version 1.0.

#ifndef SMTPERR_CLASSIFY_CLASSIFY_HPP
#define SMTPERR_CLASSIFY_CLASSIFY_HPP

#include <smtperr/classify/diagnosis.hpp>
#include <smtperr/classify/phase.hpp>
#include <smtperr/config.hpp>
#include <smtperr/reply/reply.hpp>

#include <string_view>
#include <system_error>

namespace smtperr {

/// What the classifier knows besides the reply.
struct classify_context {
    smtperr::phase phase = smtperr::phase::greeting;  ///< Which command the reply answers.
    /// The submission server's host name ("smtp.gmail.com"); "" when unknown.
    std::string_view host;
    /// The SASL mechanism in use during AUTH ("PLAIN", "XOAUTH2", …); "" when none.
    std::string_view sasl_mechanism;
};

/** Classifies one reply.

    Rules are data (src/classify/rules.cpp): provider rules keyed by host suffix or reply
    signature, then the generic table keyed by phase, basic code and enhanced code, each
    optionally refined by text fragments found with a precompiled multi-pattern matcher.
    The first matching rule in priority order wins. Without a matching rule the enhanced
    code's and then the basic code's context-free condition decide, and unknown codes fall
    back by their first digit: never to success for a 4xx or 5xx.

    A temporary reply that quotes a remote server's permanent one (Postfix's "said: 550
    5.1.1 …") is classified by the quoted reply, and stays transient.

    @par Allocation
    None after the first call, which builds the rule tables once for the process: the
    diagnosis refers to those tables and to `r`'s text.
*/
SMTPERR_DECL diagnosis classify(const reply_view& r, const classify_context& ctx) noexcept;

/// Classifies a transport failure (an error code of any category, usually `errc`).
SMTPERR_DECL diagnosis classify(std::error_code failure, const classify_context& ctx) noexcept;

}  // namespace smtperr

#endif  // SMTPERR_CLASSIFY_CLASSIFY_HPP
