// SASL: OAuth error challenges (XOAUTH2, OAUTHBEARER), malformed challenges, LOGIN prompts,
// and the base64 and bounded JSON readers behind them (hostile-servers.md F and G).
#include <smtperr/classify/classify.hpp>
#include <smtperr/classify/sasl.hpp>
#include <smtperr/error/errc.hpp>

#include <doctest/doctest.h>

#include <cstddef>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "unit/classify/classify_util.hpp"

namespace {

using namespace classify_test;
using a = smtperr::action;
using c = smtperr::condition;
using s = smtperr::scope;
using p = smtperr::phase;
using smtperr::base64_decode;
using smtperr::base64_encode;
using smtperr::decode_oauth_challenge;
using smtperr::errc;

std::string challenge(std::string_view json) {
    return "334 " + base64_encode(json);
}

}  // namespace

TEST_SUITE("classify.sasl") {
    TEST_CASE("XOAUTH2 error challenge (Google)") {
        // hostile-servers.md G-01, byte for byte.
        const std::string_view g01 =
            "334 eyJzdGF0dXMiOiI0MDEiLCJzY2hlbWVzIjoiYmVhcmVyIiwic2NvcGUiOiJodHRwczovL21haWwuZ29v"
            "Z2xlLmNvbS8ifQ==";
        for (const std::string_view mech : {"XOAUTH2", "xoauth2", ""}) {
            CAPTURE(mech);
            const auto v = classify_reply(g01, p::auth, "smtp.gmail.com", mech);
            check4(v, {c::oauth_token_invalid, a::refresh_token, s::account, false});
            CHECK(v.rule == "oauth.challenge");
        }
    }

    TEST_CASE("OAUTHBEARER error challenge (RFC 7628)") {
        const auto reply = challenge(
            R"({"status":"invalid_token","scope":"example_scope",)"
            R"("openid-configuration":"https://example.com/.well-known/openid-configuration"})");
        const auto v = classify_reply(reply, p::auth, {}, "OAUTHBEARER");
        check4(v, {c::oauth_token_invalid, a::refresh_token, s::account, false});
        const auto scope = classify_reply(challenge(R"({"status":"insufficient_scope"})"), p::auth,
                                          {}, "OAUTHBEARER");
        CHECK(scope.cond == c::oauth_token_invalid);
    }

    TEST_CASE("an OAuth challenge without a telling status still means: refresh once") {
        // hostile-servers.md G-02: missing or odd status → retry once with a new token.
        for (const std::string_view json : {"{}", R"({"status":{"x":1}})", R"({"status":"500"})"}) {
            CAPTURE(json);
            CHECK(classify_reply(challenge(json), p::auth, {}, "XOAUTH2").cond ==
                  c::oauth_token_invalid);
            // Without a mechanism only an explicit token status counts.
            CHECK(classify_reply(challenge(json), p::auth).cond == c::none);
        }
    }

    TEST_CASE("malformed challenges with an OAuth mechanism: the decoder's error, one refresh") {
        // hostile-servers G-02: an invalid payload is still the error report; the token is
        // refreshed once (it was a permanent protocol_violation, which failed the message).
        const auto b64 = classify_reply("334 !!!notbase64", p::auth, {}, "XOAUTH2");
        CHECK(b64.cond == c::oauth_token_invalid);
        CHECK(b64.code == errc::sasl_invalid_base64);
        CHECK(b64.rule == "oauth.challenge_malformed");
        CHECK(b64.act == a::refresh_token);
        for (const std::string_view bad : {"334 =AAA", "334 AAA=BBB", "334 QUJ"}) {
            CAPTURE(bad);
            CHECK(classify_reply(bad, p::auth, {}, "OAUTHBEARER").code ==
                  errc::sasl_invalid_base64);
        }
        const auto json = classify_reply(challenge("Username:"), p::auth, {}, "XOAUTH2");
        CHECK(json.cond == c::oauth_token_invalid);
        CHECK(json.code == errc::sasl_invalid_json);
        CHECK(json.code == c::protocol_violation);
        // Blanks around a good payload (a second space after the code, a trailing tab) are
        // no damage: the status is read.
        const std::string status = challenge(R"({"status":"401"})").substr(4);
        for (const std::string& sloppy :
             {"334  " + status, "334 " + status + "\t", "334 " + status + " \t"}) {
            CAPTURE(sloppy);
            const auto v = classify_reply(sloppy, p::auth, {}, "XOAUTH2");
            CHECK(v.cond == c::oauth_token_invalid);
            CHECK(v.rule == "oauth.challenge");
            CHECK(classify_reply(sloppy, p::auth).cond == c::oauth_token_invalid);
        }
        // Without a mechanism the challenge is not ours to judge.
        CHECK(classify_reply("334 !!!notbase64", p::auth).cond == c::none);
    }

    TEST_CASE("LOGIN and PLAIN challenges are positive") {
        for (const std::string_view r : {"334 VXNlcm5hbWU6", "334 UGFzc3dvcmQ6", "334 "}) {
            CAPTURE(r);
            const auto v = classify_reply(r, p::auth, {}, "LOGIN");
            CHECK(v.cond == c::none);
            CHECK(v.act == a::none);
            CHECK_FALSE(v.retry.has_value());
        }
        // A JSON-looking challenge to PLAIN is not an OAuth error.
        CHECK(classify_reply(challenge(R"({"status":"401"})"), p::auth, {}, "PLAIN").cond ==
              c::none);
        // Nor is any 334 outside the AUTH phase.
        CHECK(classify_reply(challenge(R"({"status":"401"})"), p::data, {}, "XOAUTH2").cond ==
              c::none);
        CHECK(classify_reply("334 VXNlcm5hbWU6", p::auth).cond == c::none);
    }

    TEST_CASE("final AUTH replies with an OAuth mechanism mean the token") {
        const std::string g01_final =
            "535-5.7.8 Username and Password not accepted. Learn more at\n"
            "535 5.7.8 https://support.google.com/mail/?p=BadCredentials a1sm1 - gsmtp";
        const auto google = classify_reply(g01_final, p::auth, "smtp.gmail.com", "XOAUTH2");
        check4(google, {c::oauth_token_invalid, a::refresh_token, s::account, false});
        CHECK(google.rule == "gmail.oauth_invalid");
        const auto generic =
            classify_reply("535 5.7.8 Authentication credentials invalid", p::auth, {}, "XOAUTH2");
        check4(generic, {c::oauth_token_invalid, a::refresh_token, s::account, false});
        CHECK(generic.rule == "oauth.token_rejected");
        CHECK(classify_reply("534 5.7.9 Please use another mechanism", p::auth, {}, "OAUTHBEARER")
                  .cond == c::oauth_token_invalid);
        const auto ms = classify_reply(
            "535 5.7.3 Authentication unsuccessful [XX0P123MB4567.eurprd01.prod.outlook.com]",
            p::auth, "smtp.office365.com", "XOAUTH2");
        CHECK(ms.cond == c::oauth_token_invalid);
        CHECK(ms.rule == "microsoft.oauth_invalid");
        // The providers' own 535 rules (app password, wrong password) are for passwords:
        // to a token, their 535 means the token (a review found app-password prompts here).
        const std::pair<std::string_view, std::string_view> providers_535[] = {
            {"smtp.fastmail.com", "535 5.7.8 Authentication failed"},
            {"smtp.mail.yahoo.com", "535 5.7.0 (#AUTH005) Too many bad auth attempts."},
            {"smtp.mail.me.com", "535 5.7.8 Error: authentication failed"},
            {"securesmtp.t-online.de", "535 5.7.8 Authentication credentials invalid"},
            {"mail.gmx.net", "535 Authentication credentials invalid"},
            {"smtp.yandex.ru", "535 5.7.8 Error: authentication failed: Invalid user or password!"},
            {"smtp.mail.ru",
             "535 5.7.0 NEOBHODIM parol prilozheniya / Application password is REQUIRED"},
            {"smtp.qq.com", "535 Login fail. Authorization code is expired"},
        };
        for (const auto& [host, reply] : providers_535) {
            CAPTURE(host);
            const auto token = classify_reply(reply, p::auth, host, "XOAUTH2");
            check4(token, {c::oauth_token_invalid, a::refresh_token, s::account, false});
            CHECK(token.rule == "oauth.token_rejected");
            const auto password = classify_reply(reply, p::auth, host, "PLAIN");
            CHECK(password.cond != c::oauth_token_invalid);
            CHECK(password.rule.substr(0, 5) != "oauth");
        }
        // The same replies to a password mechanism are wrong credentials.
        CHECK(classify_reply(g01_final, p::auth, "smtp.gmail.com", "PLAIN").cond ==
              c::authentication_failed);
        CHECK(classify_reply("535 5.7.8 Authentication credentials invalid", p::auth, {}, "LOGIN")
                  .cond == c::authentication_failed);
    }
}

TEST_SUITE("classify.sasl.base64") {
    TEST_CASE("RFC 4648 test vectors") {
        const std::pair<std::string_view, std::string_view> vectors[] = {
            {"", ""},
            {"f", "Zg=="},
            {"fo", "Zm8="},
            {"foo", "Zm9v"},
            {"foob", "Zm9vYg=="},
            {"fooba", "Zm9vYmE="},
            {"foobar", "Zm9vYmFy"},
        };
        for (const auto& [plain, encoded] : vectors) {
            CAPTURE(plain);
            CHECK(base64_encode(plain) == encoded);
            const auto back = base64_decode(encoded);
            REQUIRE(back.has_value());
            CHECK(back.value() == plain);
        }
    }

    TEST_CASE("every octet round-trips") {
        std::string all;
        for (int i = 0; i < 256; ++i) {
            all.push_back(static_cast<char>(i));
        }
        // Every prefix (so each tail of 0, 1 or 2 octets), and the whole string rotated by
        // one and two: every octet in each of the three positions of a group.
        std::vector<std::string> inputs;
        for (std::size_t n = 0; n <= all.size(); ++n) {
            inputs.push_back(all.substr(0, n));
        }
        inputs.push_back(all.substr(1) + all.substr(0, 1));
        inputs.push_back(all.substr(2) + all.substr(0, 2));
        for (const auto& part : inputs) {
            const auto back = base64_decode(base64_encode(part));
            REQUIRE(back.has_value());
            CHECK(back.value() == part);
        }
    }

    TEST_CASE("bad padding and bad characters are refused") {
        for (const std::string_view bad :
             {"QQ=", "Q===", "QQ=A", "=QQQ", "QQ", "Q", "QQ==QQ==", "QU JD", "QU*D", "QUJD\n",
              "QUJ-", "QUJ_", "QU\xc3\xa9", "====", "QQ==="}) {
            CAPTURE(bad);
            const auto r = base64_decode(bad);
            REQUIRE_FALSE(r.has_value());
            CHECK(r.error() == errc::sasl_invalid_base64);
        }
        const std::string with_nul("QUJD\0", 5);
        CHECK_FALSE(base64_decode(with_nul).has_value());
    }
}

TEST_SUITE("classify.sasl.json") {
    TEST_CASE("Google's XOAUTH2 error") {
        const auto r = decode_oauth_challenge(
            "eyJzdGF0dXMiOiI0MDEiLCJzY2hlbWVzIjoiYmVhcmVyIiwic2NvcGUiOiJodHRwczovL21haWwuZ29vZ2xl"
            "LmNvbS8ifQ==");
        REQUIRE(r.has_value());
        CHECK(r.value().status == "401");
        CHECK(r.value().schemes == "bearer");
        CHECK(r.value().scope == "https://mail.google.com/");
        CHECK(r.value().token_invalid());
    }

    TEST_CASE("statuses") {
        struct row {
            std::string_view json;
            std::string_view status;
            bool invalid;
        };
        const row rows[] = {
            {R"({"status":"invalid_token"})", "invalid_token", true},
            {R"({"status":"insufficient_scope"})", "insufficient_scope", true},
            {R"({"status":"400"})", "400", true},
            {R"({"status":401})", "401", true},
            {R"({"status":"200"})", "200", false},
            {R"({"status":true})", "", false},
            {R"({"status":null})", "", false},
            {R"({})", "", false},
            {R"( { "scope" : "a b" , "status" : "401" } )", "401", true},
            // A repeated key: the last value counts, never the two joined ("inv"+"alid_token").
            {R"({"status":"inv","status":"alid_token"})", "alid_token", false},
            {R"({"status":"401","status":"200"})", "200", false},
            {R"({"status":-0.5e+3})", "-0.5e+3", false},
        };
        for (const auto& t : rows) {
            CAPTURE(t.json);
            const auto r = decode_oauth_challenge(base64_encode(t.json));
            REQUIRE(r.has_value());
            CHECK(r.value().status == t.status);
            CHECK(r.value().token_invalid() == t.invalid);
        }
    }

    TEST_CASE("nested values are skipped") {
        const auto r = decode_oauth_challenge(base64_encode(
            R"({"x":{"a":[1,2.5e3,-1,{"b":null,"c":[true,false]}],"d":{}},"status":"401","e":[]})"));
        REQUIRE(r.has_value());
        CHECK(r.value().status == "401");
    }

    TEST_CASE("depth limit") {
        auto nested = [](std::size_t depth) {
            return R"({"status":"401","x":)" + std::string(depth, '[') + std::string(depth, ']') +
                   "}";
        };
        CHECK(decode_oauth_challenge(base64_encode(nested(10))).has_value());
        const auto deep = decode_oauth_challenge(base64_encode(nested(64)));
        REQUIRE_FALSE(deep.has_value());
        CHECK(deep.error() == errc::sasl_invalid_json);
        // 64 KiB of nesting (hostile-servers.md G-02) fails fast and without a crash.
        const auto huge = decode_oauth_challenge(base64_encode(nested(65536)));
        REQUIRE_FALSE(huge.has_value());
        CHECK(huge.error() == errc::sasl_invalid_json);
    }

    TEST_CASE("escape sequences") {
        const auto r = decode_oauth_challenge(base64_encode(
            R"({"status":"inv\u0061lid_token","scope":"a\/b \"c\" \\ \n\t\r\b\f \u00e9"})"));
        REQUIRE(r.has_value());
        CHECK(r.value().status == "invalid_token");
        CHECK(r.value().scope == "a/b \"c\" \\ \n\t\r\b\f ?");
        CHECK(r.value().token_invalid());
        for (const std::string_view bad :
             {R"({"status":"\x41"})", R"({"status":"\u12"})", R"({"status":"\u12G4"})",
              R"({"status":"abc)", "{\"status\":\"a\x01\"}", R"({"status":"a\)"}) {
            CAPTURE(bad);
            const auto e = decode_oauth_challenge(base64_encode(bad));
            REQUIRE_FALSE(e.has_value());
            CHECK(e.error() == errc::sasl_invalid_json);
        }
    }

    TEST_CASE("not a JSON object") {
        for (const std::string_view bad :
             {"", "Username:", "[1,2]", R"("401")", "{", R"({"status"})", R"({"status":"401",})",
              R"({"status":"401"} trailing)", R"({status:"401"})", R"({"a":tru})", R"({"a":01x})",
              R"({"status":-})", R"({"status":1-2})", R"({"status":1e})", R"({"status":01})",
              R"({"status":1.})", R"({"status":.5})", R"({"status":1e+})"}) {
            CAPTURE(bad);
            const auto e = decode_oauth_challenge(base64_encode(bad));
            REQUIRE_FALSE(e.has_value());
            CHECK(e.error() == errc::sasl_invalid_json);
        }
        const auto b = decode_oauth_challenge("!!!notbase64");
        REQUIRE_FALSE(b.has_value());
        CHECK(b.error() == errc::sasl_invalid_base64);
    }

    TEST_CASE("trailing space and CR are ignored") {
        const auto r = decode_oauth_challenge(base64_encode(R"({"status":"401"})") + " \r");
        REQUIRE(r.has_value());
        CHECK(r.value().status == "401");
    }

    TEST_CASE("huge input") {
        // hostile-servers.md F-07: 200 000 base64 characters.
        const std::string scope(150000, 's');
        const auto big = base64_encode(R"({"status":"401","scope":")" + scope + "\"}");
        CHECK(big.size() > 200000);
        const auto r = decode_oauth_challenge(big);
        REQUIRE(r.has_value());
        CHECK(r.value().scope.size() == scope.size());
        const auto zeros = decode_oauth_challenge(std::string(200000, 'A'));
        REQUIRE_FALSE(zeros.has_value());
        CHECK(zeros.error() == errc::sasl_invalid_json);
        // The classifier copes with it too (longer than the parser's line limit, so the
        // reply is built by hand).
        smtperr::reply_view r334;
        r334.code = 334;
        r334.text = big;
        r334.line_count = 1;
        smtperr::classify_context ctx;
        ctx.phase = p::auth;
        ctx.sasl_mechanism = "XOAUTH2";
        CHECK(smtperr::classify(r334, ctx).condition == c::oauth_token_invalid);
    }
}
