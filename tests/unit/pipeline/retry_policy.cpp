// Exponential backoff with jitter and a cap, stretched by the diagnosis' hint.
#include <smtperr/pipeline/retry_policy.hpp>

#include <doctest/doctest.h>

#include <chrono>
#include <cstdint>
#include <limits>
#include <optional>

using std::chrono::seconds;

TEST_SUITE("smtperr/pipeline/retry_policy.hpp") {
    TEST_CASE("defaults: one minute, doubling, six hours cap, two days maximum age") {
        const smtperr::retry_policy p;
        CHECK(p.initial_delay == seconds(60));
        CHECK(p.multiplier == doctest::Approx(2.0));
        CHECK(p.max_delay == seconds(6 * 3600));
        CHECK(p.max_age == seconds(2 * 24 * 3600));
        CHECK(p.jitter == doctest::Approx(0.2));
    }

    TEST_CASE("without jitter: 60, 120, 240 … up to the cap") {
        smtperr::retry_policy p;
        p.jitter = 0;
        p.max_delay = seconds(1000);
        CHECK(p.delay(1, std::nullopt, 0.7) == seconds(60));
        CHECK(p.delay(2, std::nullopt, 0.7) == seconds(120));
        CHECK(p.delay(3, std::nullopt, 0.7) == seconds(240));
        CHECK(p.delay(4, std::nullopt, 0.7) == seconds(480));
        CHECK(p.delay(5, std::nullopt, 0.7) == seconds(960));
        CHECK(p.delay(6, std::nullopt, 0.7) == seconds(1000));
        CHECK(p.delay(200, std::nullopt, 0.7) == seconds(1000));  // No overflow.
        CHECK(p.delay(0, std::nullopt, 0.7) == seconds(60));      // Treated as the first.
    }

    TEST_CASE("jitter spreads ± the fraction, from the unit random number") {
        smtperr::retry_policy p;  // 20 %.
        CHECK(p.delay(1, std::nullopt, 0.0) == seconds(48));
        CHECK(p.delay(1, std::nullopt, 0.5) == seconds(60));
        CHECK(p.delay(1, std::nullopt, 0.999999) == seconds(71));
        // Out-of-range randoms are clamped, not trusted.
        CHECK(p.delay(1, std::nullopt, -3.0) == seconds(48));
        CHECK(p.delay(1, std::nullopt, 7.0) == seconds(72));
        // Jitter applies to the capped delay too: retries of many clients stay spread.
        CHECK(p.delay(100, std::nullopt, 0.0) == seconds(6 * 3600 * 8 / 10));
        CHECK(p.delay(100, std::nullopt, 1.0) == seconds(6 * 3600 * 12 / 10));
    }

    TEST_CASE("the diagnosis' hint is a floor, also above the cap") {
        smtperr::retry_policy p;
        p.jitter = 0;
        CHECK(p.delay(1, 300u, 0.5) == seconds(300));               // Greylisting: 5 minutes.
        CHECK(p.delay(10, 300u, 0.5) == seconds(6 * 3600));         // Backoff already longer.
        CHECK(p.delay(1, 24u * 3600u, 0.5) == seconds(24 * 3600));  // A daily quota.
        CHECK(p.delay(1, 0u, 0.5) == seconds(60));
    }

    TEST_CASE("never zero, never negative") {
        smtperr::retry_policy p;
        p.initial_delay = seconds(0);
        CHECK(p.delay(1, std::nullopt, 0.0) == seconds(1));
        p.initial_delay = seconds(10);
        p.jitter = 5.0;  // Clamped to 100 %.
        CHECK(p.delay(1, std::nullopt, 0.0) >= seconds(1));
        CHECK(p.delay(1, std::nullopt, 1.0) == seconds(20));
    }

    TEST_CASE("extreme settings give a delay between a second and a century") {
        using smtperr::retry_policy;
        retry_policy p;
        p.max_delay = seconds::max();
        p.initial_delay = seconds::max();
        p.jitter = 1.0;
        CHECK(p.delay(1, std::nullopt, 1.0) == retry_policy::longest);
        CHECK(p.delay(200, std::nullopt, 0.99) == retry_policy::longest);
        p = retry_policy{};
        p.multiplier = std::numeric_limits<double>::quiet_NaN();
        CHECK(p.delay(3, std::nullopt, 0.5) == seconds(1));
        CHECK(p.delay(3, 300u, 0.5) == seconds(300));  // The hint still counts.
        p.multiplier = std::numeric_limits<double>::infinity();
        CHECK(p.delay(3, std::nullopt, 0.5) == p.max_delay);
        p.multiplier = -3.0;
        CHECK(p.delay(2, std::nullopt, 0.5) == seconds(1));
        CHECK(p.delay(2, 1'000'000'000u, 0.5) == seconds(1'000'000'000));
        CHECK(p.delay(2, std::numeric_limits<std::uint32_t>::max(), 0.5) == retry_policy::longest);
    }

    TEST_CASE("monotone in the attempt for a fixed random number") {
        const smtperr::retry_policy p;
        for (double u : {0.0, 0.3, 0.9}) {
            seconds last{0};
            for (unsigned a = 1; a < 40; ++a) {
                const auto d = p.delay(a, std::nullopt, u);
                CHECK(d >= last);
                last = d;
            }
        }
    }
}
