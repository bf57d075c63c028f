use std::process::ExitCode;

fn main() -> ExitCode {
    zhengsou::cli::main()
}
