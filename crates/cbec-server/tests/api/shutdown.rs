//! Graceful shutdown on a real socket: in-flight requests finish; a request
//! that outlives the grace period does not hold the server up.

use std::time::Duration;

use serde_json::json;
use tokio::io::{AsyncReadExt as _, AsyncWriteExt as _};
use tokio::net::{TcpListener, TcpStream};

use crate::helpers::TestApp;

/// Starts a POST whose body is only partly sent; returns the stream and the rest.
async fn start_request(addr: std::net::SocketAddr, token: &str) -> (TcpStream, Vec<u8>) {
    let body = json!({"name": "late officer", "role": "reviewer"}).to_string().into_bytes();
    let mut stream = TcpStream::connect(addr).await.unwrap();
    let head = format!(
        "POST /api/v1/officers HTTP/1.1\r\nHost: localhost\r\nAuthorization: Bearer {token}\r\nContent-Type: application/json\r\nContent-Length: {}\r\nConnection: close\r\n\r\n",
        body.len()
    );
    stream.write_all(head.as_bytes()).await.unwrap();
    stream.write_all(&body[..5]).await.unwrap();
    stream.flush().await.unwrap();
    (stream, body[5..].to_vec())
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn in_flight_requests_finish_after_the_shutdown_signal() {
    let app = TestApp::spawn().await;
    let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    let (stop, stopped) = tokio::sync::oneshot::channel::<()>();
    let server = tokio::spawn(cbec_server::serve(
        listener,
        app.state.clone(),
        async {
            let _ = stopped.await;
        },
        Duration::from_secs(10),
    ));
    let (mut stream, rest) = start_request(addr, &app.admin).await;
    tokio::time::sleep(Duration::from_millis(200)).await;
    stop.send(()).unwrap();
    tokio::time::sleep(Duration::from_millis(200)).await;
    assert!(!server.is_finished(), "the server waits for the request in flight");
    stream.write_all(&rest).await.unwrap();
    let mut response = String::new();
    stream.read_to_string(&mut response).await.unwrap();
    assert!(response.starts_with("HTTP/1.1 201"), "{response}");
    let result = tokio::time::timeout(Duration::from_secs(5), server).await.expect("the server stops");
    result.unwrap().unwrap();
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_grace_period_bounds_the_wait() {
    let app = TestApp::spawn().await;
    let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    let (stop, stopped) = tokio::sync::oneshot::channel::<()>();
    let server = tokio::spawn(cbec_server::serve(
        listener,
        app.state.clone(),
        async {
            let _ = stopped.await;
        },
        Duration::from_millis(300),
    ));
    let (_stream, _rest) = start_request(addr, &app.admin).await;
    tokio::time::sleep(Duration::from_millis(200)).await;
    stop.send(()).unwrap();
    let result = tokio::time::timeout(Duration::from_secs(5), server).await.expect("the grace period ends the wait");
    result.unwrap().unwrap();
}
