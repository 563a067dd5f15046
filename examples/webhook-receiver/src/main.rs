//! Serves the receiver on `127.0.0.1:3000` (or `$PORT`), verifying with the
//! endpoint's secret from `STRADDLE_WEBHOOK_SECRET`, and works on accepted
//! events one at a time.

use std::error::Error;

use straddle_sdk::webhooks::Webhook;
use straddle_sdk_example_webhook_receiver::{PATH, router, work_on};
use tokio::sync::mpsc;

#[tokio::main]
async fn main() -> Result<(), Box<dyn Error>> {
    let secret = std::env::var("STRADDLE_WEBHOOK_SECRET")
        .map_err(|_| "set STRADDLE_WEBHOOK_SECRET to the endpoint's signing secret (whsec_...)")?;
    let webhook = Webhook::new(&secret)?;
    let (work, mut queue) = mpsc::channel(1024);
    tokio::spawn(async move {
        while let Some(event) = queue.recv().await {
            println!("{}", work_on(&event));
        }
    });
    let port = std::env::var("PORT").unwrap_or_else(|_| "3000".into());
    let listener = tokio::net::TcpListener::bind(format!("127.0.0.1:{port}")).await?;
    println!("listening on http://{}{PATH}", listener.local_addr()?);
    axum::serve(listener, router(webhook, work)).await?;
    Ok(())
}
