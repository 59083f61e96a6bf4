//! `make dev`: everything on http://localhost:3000 with no cloud account.

use std::net::SocketAddr;
use std::path::PathBuf;

struct Args {
    port: u16,
    data: PathBuf,
    static_dir: PathBuf,
}

fn args() -> Result<Args, String> {
    let mut out = Args {
        port: 3000,
        data: PathBuf::from(".data"),
        static_dir: PathBuf::from("frontend/dist"),
    };
    let mut it = std::env::args().skip(1);
    while let Some(flag) = it.next() {
        let mut value = || it.next().ok_or(format!("{flag} needs a value"));
        match flag.as_str() {
            "--port" => {
                out.port = value()?
                    .parse()
                    .map_err(|_| "--port takes a number".to_string())?
            }
            "--data" => out.data = PathBuf::from(value()?),
            "--static" => out.static_dir = PathBuf::from(value()?),
            "--help" | "-h" => {
                return Err(
                    "usage: local [--port 3000] [--data .data] [--static frontend/dist]".into(),
                );
            }
            other => return Err(format!("unknown argument {other}")),
        }
    }
    Ok(out)
}

#[tokio::main]
async fn main() -> std::process::ExitCode {
    web::init_tracing();
    let args = match args() {
        Ok(a) => a,
        Err(e) => {
            eprintln!("{e}");
            return std::process::ExitCode::from(2);
        }
    };
    let app_url = format!("http://localhost:{}", args.port);
    let config = local::Config {
        data: args.data,
        static_dir: args.static_dir,
        app_url: app_url.clone(),
    };
    let app = match local::start(&config).await {
        Ok(app) => app,
        Err(e) => {
            eprintln!("cannot start: {e}");
            return std::process::ExitCode::FAILURE;
        }
    };
    // Loopback only: this server has /dev pages and a dev key file.
    let addr = SocketAddr::from(([127, 0, 0, 1], args.port));
    let listener = match tokio::net::TcpListener::bind(addr).await {
        Ok(l) => l,
        Err(e) => {
            eprintln!("cannot listen on {addr}: {e}");
            return std::process::ExitCode::FAILURE;
        }
    };
    println!("shipcaptaincrew is running at {app_url}  (emails: {app_url}/dev/outbox)");
    let service = app
        .router
        .into_make_service_with_connect_info::<SocketAddr>();
    let shutdown = async {
        let _ = tokio::signal::ctrl_c().await;
    };
    match axum::serve(listener, service)
        .with_graceful_shutdown(shutdown)
        .await
    {
        Ok(()) => std::process::ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("server error: {e}");
            std::process::ExitCode::FAILURE
        }
    }
}
