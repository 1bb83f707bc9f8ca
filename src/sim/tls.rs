//! TLS for the simulator: kubectl sends bearer tokens only over HTTPS, so each run makes a
//! fresh self-signed CA and a server certificate for 127.0.0.1 and localhost; the
//! kubeconfig carries the CA. The same port also answers plain HTTP (the first byte of a
//! TLS connection is a handshake record, 0x16), for curl and quick looks.

use std::net::SocketAddr;
use std::sync::Arc;

use axum::Router;
use hyper_util::rt::{TokioExecutor, TokioIo};
use hyper_util::server::conn::auto::Builder;
use hyper_util::service::TowerToHyperService;
use rcgen::{
    BasicConstraints, CertificateParams, CertifiedIssuer, DnType, ExtendedKeyUsagePurpose, IsCa,
    KeyPair, KeyUsagePurpose,
};
use tokio::net::TcpListener;
use tokio_rustls::TlsAcceptor;
use tokio_rustls::rustls::ServerConfig;
use tokio_rustls::rustls::pki_types::{PrivateKeyDer, PrivatePkcs8KeyDer};

pub struct SimTls {
    /// The CA certificate (PEM) that clients must trust.
    pub ca_pem: String,
    pub acceptor: TlsAcceptor,
}

/// A fresh CA and server certificate.
pub fn generate() -> Result<SimTls, String> {
    let err = |e: rcgen::Error| format!("cannot make the simulator's certificates: {e}");
    let ca_key = KeyPair::generate().map_err(err)?;
    let mut ca_params = CertificateParams::new(Vec::<String>::new()).map_err(err)?;
    ca_params.is_ca = IsCa::Ca(BasicConstraints::Unconstrained);
    ca_params
        .distinguished_name
        .push(DnType::CommonName, "shipdeck-sim-ca");
    ca_params.key_usages = vec![
        KeyUsagePurpose::KeyCertSign,
        KeyUsagePurpose::CrlSign,
        KeyUsagePurpose::DigitalSignature,
    ];
    let ca = CertifiedIssuer::self_signed(ca_params, ca_key).map_err(err)?;
    let server_key = KeyPair::generate().map_err(err)?;
    let mut params = CertificateParams::new(vec!["127.0.0.1".to_string(), "localhost".to_string()])
        .map_err(err)?;
    params
        .distinguished_name
        .push(DnType::CommonName, "shipdeck-sim");
    params.extended_key_usages = vec![ExtendedKeyUsagePurpose::ServerAuth];
    let cert = params.signed_by(&server_key, &ca).map_err(err)?;
    let provider = Arc::new(tokio_rustls::rustls::crypto::ring::default_provider());
    let key = PrivateKeyDer::Pkcs8(PrivatePkcs8KeyDer::from(server_key.serialize_der()));
    let mut config = ServerConfig::builder_with_provider(provider)
        .with_safe_default_protocol_versions()
        .map_err(|e| format!("TLS setup: {e}"))?
        .with_no_client_auth()
        .with_single_cert(vec![cert.der().clone(), ca.der().clone()], key)
        .map_err(|e| format!("TLS setup: {e}"))?;
    config.alpn_protocols = vec![b"h2".to_vec(), b"http/1.1".to_vec()];
    Ok(SimTls {
        ca_pem: ca.pem(),
        acceptor: TlsAcceptor::from(Arc::new(config)),
    })
}

/// Serves `app` on `listener` until `stop` resolves: TLS or plain HTTP per connection.
pub async fn serve(
    listener: TcpListener,
    app: Router,
    acceptor: TlsAcceptor,
    stop: impl std::future::Future<Output = ()>,
) {
    tokio::pin!(stop);
    loop {
        let accepted = tokio::select! {
            () = &mut stop => return,
            a = listener.accept() => a,
        };
        let Ok((tcp, peer)) = accepted else {
            continue;
        };
        let app = app.clone();
        let acceptor = acceptor.clone();
        tokio::spawn(async move {
            connection(tcp, peer, app, acceptor).await;
        });
    }
}

async fn connection(
    tcp: tokio::net::TcpStream,
    peer: SocketAddr,
    app: Router,
    acceptor: TlsAcceptor,
) {
    let mut first = [0u8; 1];
    if tcp.peek(&mut first).await.unwrap_or(0) == 0 {
        return;
    }
    let service = TowerToHyperService::new(app);
    let builder = Builder::new(TokioExecutor::new());
    let result = if first[0] == 0x16 {
        match acceptor.accept(tcp).await {
            Ok(tls) => builder.serve_connection(TokioIo::new(tls), service).await,
            Err(e) => {
                tracing::debug!(%peer, error = %e, "TLS handshake failed");
                return;
            }
        }
    } else {
        builder.serve_connection(TokioIo::new(tcp), service).await
    };
    if let Err(e) = result {
        tracing::debug!(%peer, error = %e, "connection ended");
    }
}
