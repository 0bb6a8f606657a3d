// smtperr — SMTP error mapping for mail clients.
// Distributed under the Boost Software License, Version 1.0.

#include <smtperr/pipeline/retry_policy.hpp>

#include <algorithm>
#include <cmath>

namespace smtperr {

std::chrono::seconds retry_policy::delay(unsigned attempt,
                                         std::optional<std::uint32_t> hint_seconds,
                                         double unit_random) const noexcept {
    const double n = static_cast<double>(std::max(attempt, 1u) - 1);
    double base = static_cast<double>(initial_delay.count()) * std::pow(multiplier, n);
    base = std::min(base, static_cast<double>(max_delay.count()));
    const double spread = std::clamp(jitter, 0.0, 1.0);
    double d = base * (1.0 + spread * (2.0 * std::clamp(unit_random, 0.0, 1.0) - 1.0));
    // Whatever the settings (a huge max_delay, a NaN multiplier), a delay the clock can add
    // to a time: at least a second, at most retry_policy::longest. Before the hint, which
    // std::max would lose next to a NaN.
    if (!(d >= 1.0)) {
        d = 1.0;
    }
    if (hint_seconds) {
        d = std::max(d, static_cast<double>(*hint_seconds));
    }
    d = std::min(d, static_cast<double>(longest.count()));
    return std::chrono::seconds(static_cast<std::int64_t>(d));
}

}  // namespace smtperr
