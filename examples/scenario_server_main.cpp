// The scenario server as a program, for trying `smtperr send` by hand and for the
// command-line tests (which run under /bin/sh and need a server on a port they learn).
//
//   smtperr_scenario_server list                      the scenario ids
//   smtperr_scenario_server ID                        prints the port, serves until stdin ends
//   smtperr_scenario_server ID -- COMMAND [ARG...]    runs COMMAND with "{port}" in its
//                                                     arguments replaced by the port, and
//                                                     exits with COMMAND's exit status
//
// 127.0.0.1 only, an ephemeral port; the server runs on a thread of its own so COMMAND can
// be waited for.

#include <boost/asio/io_context.hpp>
#include <boost/asio/post.hpp>

#include <cerrno>
#include <cstdio>
#include <cstring>
#include <iostream>
#include <spawn.h>
#include <string>
#include <string_view>
#include <sys/wait.h>
#include <thread>
#include <vector>

#include "scenario_server.hpp"

extern char** environ;

namespace {

int usage() {
    std::cerr << "usage: smtperr_scenario_server list | ID [-- COMMAND [ARG...]]\n";
    return 1;
}

// Runs argv (a PATH lookup for argv[0]) and returns its exit status, 127 if it cannot run.
int run_command(std::vector<std::string> args) {
    std::vector<char*> argv;
    for (auto& a : args) {
        argv.push_back(a.data());
    }
    argv.push_back(nullptr);
    pid_t pid = 0;
    if (posix_spawnp(&pid, argv[0], nullptr, nullptr, argv.data(), environ) != 0) {
        std::cerr << "smtperr_scenario_server: cannot run " << args.front() << '\n';
        return 127;
    }
    int st = 0;
    while (waitpid(pid, &st, 0) < 0) {
        if (errno != EINTR) {
            std::cerr << "smtperr_scenario_server: waitpid: " << std::strerror(errno) << '\n';
            return 127;
        }
    }
    return WIFEXITED(st) ? WEXITSTATUS(st) : 128 + WTERMSIG(st);
}

}  // namespace

int main(int argc, char** argv) {
    if (argc < 2) {
        return usage();
    }
    const std::string_view id = argv[1];
    if (id == "list") {
        for (const auto& s : smtperr::demo::scenarios()) {
            std::cout << s.id << "  " << s.title << '\n';
        }
        return 0;
    }
    auto sc = smtperr::demo::find_scenario(id);
    if (!sc || (argc > 2 && (std::string_view(argv[2]) != "--" || argc < 4))) {
        return usage();
    }
    boost::asio::io_context ioc;
    smtperr::demo::scenario_server server(ioc, std::move(*sc));
    const std::string port = std::to_string(server.port());
    std::thread io([&ioc] { ioc.run(); });

    int status = 0;
    if (argc == 2) {
        std::cout << port << std::endl;
        std::string ignored;
        while (std::getline(std::cin, ignored)) {
        }
    } else {
        std::vector<std::string> args(argv + 3, argv + argc);
        for (auto& a : args) {
            for (auto p = a.find("{port}"); p != std::string::npos; p = a.find("{port}", p)) {
                a.replace(p, 6, port);
            }
        }
        status = run_command(std::move(args));
    }
    boost::asio::post(ioc, [&server] { server.stop(); });
    io.join();
    return status;
}
