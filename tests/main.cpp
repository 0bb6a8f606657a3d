// smtperr — SMTP error mapping for mail clients.
// Distributed under the Boost Software License, Version 1.0.
//
// The tests' main(): doctest's, except that a run whose filters select no test case fails.
// ctest runs every case by its name (doctest_discover_tests); a name CMake cannot carry (a
// ';' splits it in two) would otherwise select nothing and pass without testing anything.

#define DOCTEST_CONFIG_IMPLEMENT
#include <doctest/doctest.h>

#include <cstdio>

namespace {

unsigned selected = 0;  // Test cases that passed the filters in the last run.

struct count_selected : doctest::IReporter {
    explicit count_selected(const doctest::ContextOptions&) {}
    void report_query(const doctest::QueryData&) override {}
    void test_run_start() override {}
    void test_run_end(const doctest::TestRunStats& s) override {
        selected = s.numTestCasesPassingFilters;
    }
    void test_case_start(const doctest::TestCaseData&) override {}
    void test_case_reenter(const doctest::TestCaseData&) override {}
    void test_case_end(const doctest::CurrentTestCaseStats&) override {}
    void test_case_exception(const doctest::TestCaseException&) override {}
    void subcase_start(const doctest::SubcaseSignature&) override {}
    void subcase_end() override {}
    void log_assert(const doctest::AssertData&) override {}
    void log_message(const doctest::MessageData&) override {}
    void test_case_skipped(const doctest::TestCaseData&) override {}
};

}  // namespace

REGISTER_LISTENER("count_selected", 1, count_selected);

int main(int argc, char** argv) {
    doctest::Context context(argc, argv);
    const int rc = context.run();
    if (context.shouldExit()) {  // --list-test-cases, --help and the like
        return rc;
    }
    if (rc == 0 && selected == 0) {
        std::fputs("no test case matched the filters: nothing was tested\n", stderr);
        return 1;
    }
    return rc;
}
