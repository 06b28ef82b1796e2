//! The `vitrine` binary: parse the command line, hand over to the library.

fn main() -> std::process::ExitCode {
    vitrine_server::cli::main()
}
