// smtperr — SMTP error mapping for mail clients.
// Distributed under the Boost Software License, Version 1.0.

#ifndef SMTPERR_PIPELINE_RETRY_POLICY_HPP
#define SMTPERR_PIPELINE_RETRY_POLICY_HPP

#include <smtperr/config.hpp>

#include <chrono>
#include <cstdint>
#include <optional>

namespace smtperr {

/** When to try a deferred message again: exponential backoff with jitter and a cap,
    stretched to at least what the diagnosis suggests (greylisting minutes, rate limits,
    daily quotas in hours), and a maximum age after which the message fails.
*/
struct retry_policy {
    /// The longest delay or age that counts: longer settings act as this one (a century;
    /// the clock's nanoseconds could not add `std::chrono::seconds::max()` to a time).
    static constexpr std::chrono::seconds longest{100LL * 365 * 24 * 3600};

    std::chrono::seconds initial_delay{60};  ///< The first retry's base delay.
    double multiplier = 2.0;                 ///< Growth per attempt.
    /// Cap of the backoff, before the jitter (so retries stay spread) and not of hints.
    std::chrono::seconds max_delay{6 * 3600};
    double jitter = 0.2;  ///< ± this fraction, to spread retries.
    /// Give up after this long queued (the outbox keeps it within 0 s and a century).
    std::chrono::seconds max_age{2 * 24 * 3600};

    /** The delay before attempt `attempt + 1`, after `attempt` failed attempts (≥ 1).

        @param hint_seconds the diagnosis' retry hint, if any: the delay is never shorter
               (up to `longest`).
        @param unit_random a number in [0, 1) for the jitter.
    */
    SMTPERR_DECL std::chrono::seconds delay(unsigned attempt,
                                            std::optional<std::uint32_t> hint_seconds,
                                            double unit_random) const noexcept;
};

}  // namespace smtperr

#endif  // SMTPERR_PIPELINE_RETRY_POLICY_HPP
