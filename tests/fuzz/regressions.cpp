// smtperr — SMTP error mapping for mail clients.
// Distributed under the Boost Software License, Version 1.0.

// Runs the fuzz targets' entry function on saved inputs without libFuzzer, so crashes the
// fuzzer once found (tests/fuzz/regressions/) and the seed corpus (tests/fuzz/corpus/) stay
// checked by every normal test run, with any compiler.
//
//   smtperr_fuzz_regressions DIR_OR_FILE...
//
// A failed invariant aborts with a message after the name of the input was printed.

#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <string>
#include <system_error>
#include <vector>

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size);

namespace {

namespace fs = std::filesystem;

std::vector<fs::path> inputs_of(const fs::path& p) {
    std::vector<fs::path> out;
    std::error_code ec;
    if (fs::is_directory(p, ec)) {
        for (const auto& entry : fs::directory_iterator(p)) {
            if (entry.is_regular_file() && entry.path().filename().string().front() != '.') {
                out.push_back(entry.path());
            }
        }
        std::sort(out.begin(), out.end());
    } else if (fs::is_regular_file(p, ec)) {
        out.push_back(p);
    } else {
        std::printf("note: %s does not exist, skipped\n", p.string().c_str());
    }
    return out;
}

}  // namespace

int main(int argc, char** argv) {
    if (argc < 2) {
        std::fprintf(stderr, "usage: %s DIR_OR_FILE...\n", argv[0]);
        return 2;
    }
    std::size_t count = 0;
    for (int i = 1; i < argc; ++i) {
        for (const auto& path : inputs_of(argv[i])) {
            std::ifstream in(path, std::ios::binary);
            if (!in) {
                std::fprintf(stderr, "cannot read %s\n", path.string().c_str());
                return 1;
            }
            const std::vector<char> bytes((std::istreambuf_iterator<char>(in)),
                                          std::istreambuf_iterator<char>());
            std::printf("%s (%zu bytes)\n", path.string().c_str(), bytes.size());
            std::fflush(stdout);
            // A copy in a buffer of exactly its size, so sanitizers see any over-read.
            std::vector<std::uint8_t> data(bytes.begin(), bytes.end());
            LLVMFuzzerTestOneInput(data.empty() ? nullptr : data.data(), data.size());
            ++count;
        }
    }
    if (count == 0) {
        std::fprintf(stderr, "no inputs found\n");
        return 1;
    }
    std::printf("fuzz regressions: %zu inputs checked\n", count);
    return 0;
}
