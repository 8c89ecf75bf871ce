//! `lifeline serve` over TLS (rustls): a client that trusts the certificate gets its answer
//! with HSTS; plain HTTP on the TLS port gets nothing; shutdown ends the server cleanly.

use std::sync::Arc;

use lifeline_server::Config;
use lifeline_server::config::TlsConfig;
use tokio::io::{AsyncReadExt as _, AsyncWriteExt as _};
use tokio_rustls::rustls::pki_types::ServerName;
use tokio_rustls::rustls::{ClientConfig, RootCertStore};

#[tokio::test(flavor = "multi_thread")]
async fn serves_https_and_shuts_down() {
    let dir = tempfile::tempdir().unwrap();
    let certified = rcgen::generate_simple_self_signed(vec!["localhost".to_owned()]).unwrap();
    let cert = dir.path().join("cert.pem");
    let key = dir.path().join("key.pem");
    std::fs::write(&cert, certified.cert.pem()).unwrap();
    std::fs::write(&key, certified.key_pair.serialize_pem()).unwrap();
    let config = Config {
        listen: Some("127.0.0.1:0".into()),
        database: Some(lifeline_store::sqlite_url(&dir.path().join("l.db"))),
        key_file: Some(dir.path().join("l.key")),
        tls: Some(TlsConfig { cert, key }),
        ..Config::default()
    };

    let (stop, stopped) = tokio::sync::oneshot::channel::<()>();
    let (listening, addr) = tokio::sync::oneshot::channel();
    let server = tokio::spawn(async move {
        lifeline_server::serve(
            &config,
            async {
                let _ = stopped.await;
            },
            move |addr, setup| {
                // A fresh database has no user: the one-time setup token is offered.
                assert!(setup.is_some_and(|t| t.starts_with("setup_")));
                let _ = listening.send(addr);
            },
        )
        .await
    });
    let addr = addr.await.unwrap();

    let mut roots = RootCertStore::empty();
    roots.add(certified.cert.der().clone()).unwrap();
    #[allow(deprecated)] // ring lacks post-quantum key exchange; fine for a loopback test
    let _ = tokio_rustls::rustls::crypto::ring::default_provider().install_default();
    let client = ClientConfig::builder()
        .with_root_certificates(roots)
        .with_no_client_auth();
    let connector = tokio_rustls::TlsConnector::from(Arc::new(client));
    let tcp = tokio::net::TcpStream::connect(addr).await.unwrap();
    let mut tls = connector
        .connect(ServerName::try_from("localhost").unwrap(), tcp)
        .await
        .unwrap();
    tls.write_all(b"GET /healthz HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n\r\n")
        .await
        .unwrap();
    let mut answer = String::new();
    tls.read_to_string(&mut answer).await.unwrap();
    assert!(answer.starts_with("HTTP/1.1 200"), "{answer}");
    assert!(
        answer
            .to_ascii_lowercase()
            .contains("strict-transport-security: max-age="),
        "{answer}"
    );

    // Plain HTTP on the TLS port is not answered with a page.
    let mut plain = tokio::net::TcpStream::connect(addr).await.unwrap();
    plain
        .write_all(b"GET /healthz HTTP/1.1\r\nHost: localhost\r\n\r\n")
        .await
        .unwrap();
    let mut buffer = Vec::new();
    let _ = tokio::time::timeout(
        std::time::Duration::from_secs(5),
        plain.read_to_end(&mut buffer),
    )
    .await;
    assert!(!String::from_utf8_lossy(&buffer).contains("200 OK"));

    stop.send(()).unwrap();
    tokio::time::timeout(std::time::Duration::from_secs(40), server)
        .await
        .expect("the server stops")
        .unwrap()
        .unwrap();
}
