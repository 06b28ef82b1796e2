//! The hydrate bundle and public files Trunk wrote to the site folder, served from memory.
//!
//! Trunk writes stable names (`vitrine.js`, `vitrine_bg.wasm`, `main.css`: file hashing is off
//! in Trunk.toml); the server reads them once at start, hashes their contents and serves them
//! under `/pkg/<hash>/<name>` with a one-year immutable cache. A new build gets a new hash, so
//! browsers never run a stale bundle against a new server. The shell's links come from here.
//! Bundle files are compressed once at start (brotli at its best quality, and gzip), so no
//! request pays for compressing the wasm.

use axum::body::Body;
use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use std::collections::HashMap;
use std::io::Write;
use std::path::Path;
use vitrine::ssr::BundleUrls;

const JS: &str = "vitrine.js";
const WASM: &str = "vitrine_bg.wasm";
const CSS: &str = "main.css";
/// Files in the site folder that are Trunk's own, not ours to serve.
const NOT_PUBLIC: &[&str] = &["index.html", JS, WASM, CSS];

#[derive(Clone)]
struct Asset {
    bytes: bytes::Bytes,
    /// Precompressed bodies (bundle files only).
    brotli: Option<bytes::Bytes>,
    gzip: Option<bytes::Bytes>,
    content_type: &'static str,
}

impl Asset {
    fn new(bytes: Vec<u8>, name: &str) -> Self {
        Asset {
            bytes: bytes.into(),
            brotli: None,
            gzip: None,
            content_type: content_type(name),
        }
    }

    fn precompressed(mut self) -> std::io::Result<Self> {
        let mut br = Vec::new();
        {
            let mut w = brotli::CompressorWriter::new(&mut br, 64 * 1024, 11, 22);
            w.write_all(&self.bytes)?;
        }
        let mut gz = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::best());
        gz.write_all(&self.bytes)?;
        self.brotli = Some(br.into());
        self.gzip = Some(gz.finish()?.into());
        Ok(self)
    }
}

/// The bundle files and the public files, in memory.
#[derive(Clone, Default)]
pub struct Assets {
    hash: String,
    bundle: HashMap<String, Asset>,
    public: HashMap<String, Asset>,
}

impl Assets {
    /// Reads the site folder. A missing folder is not an error: the pages still render and
    /// work without JavaScript (the integration tests run that way), and a warning says so.
    pub fn load(site_dir: &Path) -> anyhow::Result<Self> {
        let mut assets = Assets::default();
        let Ok(entries) = std::fs::read_dir(site_dir) else {
            tracing::warn!(dir = %site_dir.display(), "no site folder: serving pages without the hydrate bundle or stylesheet; run `trunk build` first");
            return Ok(assets);
        };
        for entry in entries {
            let entry = entry?;
            let name = entry.file_name().to_string_lossy().into_owned();
            if !entry.file_type()?.is_file() || name.starts_with('.') {
                continue;
            }
            let asset = Asset::new(std::fs::read(entry.path())?, &name);
            if NOT_PUBLIC.contains(&name.as_str()) {
                if name != "index.html" {
                    assets.bundle.insert(name, asset.precompressed()?);
                }
            } else {
                assets.public.insert(format!("/{name}"), asset);
            }
        }
        let mut names: Vec<&String> = assets.bundle.keys().collect();
        names.sort();
        let mut hash = Fnv::new();
        for name in names {
            hash.write(name.as_bytes());
            hash.write(&assets.bundle[name].bytes);
        }
        assets.hash = format!("{:016x}", hash.finish());
        tracing::info!(bundle_files = assets.bundle.len(), public_files = assets.public.len(), hash = %assets.hash, "site assets loaded");
        Ok(assets)
    }

    /// The URLs the shell links to; `None` for files the build did not produce.
    pub fn urls(&self) -> BundleUrls {
        let url = |name: &str| {
            self.bundle
                .contains_key(name)
                .then(|| format!("/pkg/{}/{name}", self.hash))
        };
        BundleUrls {
            css: url(CSS),
            js: url(JS),
            wasm: url(WASM),
        }
    }

    /// `/pkg/<hash>/<name>`: immutable for the current hash, 404 for any other; brotli or
    /// gzip when the request accepts it.
    pub fn bundle_response(&self, hash: &str, name: &str, request: &HeaderMap) -> Response {
        let Some(asset) = self.bundle.get(name).filter(|_| hash == self.hash) else {
            return (StatusCode::NOT_FOUND, "Not found").into_response();
        };
        let accepts = |coding: &str| super::accepts_encoding(request, coding);
        let (body, encoding) = match (&asset.brotli, &asset.gzip) {
            (Some(br), _) if accepts("br") => (br.clone(), Some("br")),
            (_, Some(gz)) if accepts("gzip") => (gz.clone(), Some("gzip")),
            _ => (asset.bytes.clone(), None),
        };
        let mut res = respond_with(
            body,
            asset.content_type,
            "public, max-age=31536000, immutable",
        );
        res.headers_mut()
            .insert(header::VARY, HeaderValue::from_static("accept-encoding"));
        if let Some(encoding) = encoding {
            res.headers_mut()
                .insert(header::CONTENT_ENCODING, HeaderValue::from_static(encoding));
        }
        res
    }

    /// A public file (favicon and the like) by its path, cached for a day.
    pub fn public_response(&self, path: &str) -> Option<Response> {
        self.public
            .get(path)
            .map(|asset| respond(asset, "public, max-age=86400"))
    }
}

fn respond(asset: &Asset, cache: &'static str) -> Response {
    respond_with(asset.bytes.clone(), asset.content_type, cache)
}

fn respond_with(body: bytes::Bytes, content_type: &'static str, cache: &'static str) -> Response {
    let mut res = Response::new(Body::from(body));
    let headers = res.headers_mut();
    headers.insert(header::CONTENT_TYPE, HeaderValue::from_static(content_type));
    headers.insert(header::CACHE_CONTROL, HeaderValue::from_static(cache));
    res
}

fn content_type(name: &str) -> &'static str {
    match name.rsplit('.').next().unwrap_or_default() {
        "js" => "text/javascript; charset=utf-8",
        "wasm" => "application/wasm",
        "css" => "text/css; charset=utf-8",
        "svg" => "image/svg+xml",
        "png" => "image/png",
        "ico" => "image/x-icon",
        "txt" => "text/plain; charset=utf-8",
        "json" | "webmanifest" => "application/json",
        _ => "application/octet-stream",
    }
}

/// FNV-1a 64: a content fingerprint for cache busting, not a security hash.
struct Fnv(u64);

impl Fnv {
    fn new() -> Self {
        Fnv(0xcbf2_9ce4_8422_2325)
    }
    fn write(&mut self, bytes: &[u8]) {
        for &b in bytes {
            self.0 ^= u64::from(b);
            self.0 = self.0.wrapping_mul(0x0100_0000_01b3);
        }
    }
    fn finish(&self) -> u64 {
        self.0
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn bundle_urls_change_with_the_bundle() {
        let dir = tempfile::tempdir().expect("tempdir");
        std::fs::write(dir.path().join(JS), "a").expect("write");
        std::fs::write(dir.path().join(WASM), "b").expect("write");
        std::fs::write(dir.path().join("favicon.svg"), "<svg/>").expect("write");
        std::fs::write(dir.path().join("index.html"), "trunk's").expect("write");
        let first = Assets::load(dir.path()).expect("load");
        let js = first.urls().js.expect("js url");
        assert!(js.starts_with("/pkg/") && js.ends_with("/vitrine.js"));
        assert_eq!(first.urls().css, None);
        assert!(first.public_response("/favicon.svg").is_some());
        assert!(first.public_response("/index.html").is_none());

        std::fs::write(dir.path().join(WASM), "c").expect("write");
        let second = Assets::load(dir.path()).expect("load");
        assert_ne!(second.urls().js, Some(js.clone()));
        let stale_hash = js.split('/').nth(2).expect("hash");
        assert_eq!(
            second
                .bundle_response(stale_hash, JS, &HeaderMap::new())
                .status(),
            StatusCode::NOT_FOUND
        );

        let current = second.urls().js.expect("js url");
        let hash = current.split('/').nth(2).expect("hash");
        let mut accept = HeaderMap::new();
        accept.insert(
            header::ACCEPT_ENCODING,
            HeaderValue::from_static("gzip, br"),
        );
        let res = second.bundle_response(hash, JS, &accept);
        assert_eq!(res.status(), StatusCode::OK);
        assert_eq!(res.headers()[header::CONTENT_ENCODING], "br");
        assert!(
            res.headers()[header::CACHE_CONTROL]
                .to_str()
                .is_ok_and(|v| v.contains("immutable"))
        );
        let plain = second.bundle_response(hash, JS, &HeaderMap::new());
        assert!(plain.headers().get(header::CONTENT_ENCODING).is_none());
    }

    #[test]
    fn a_missing_site_folder_still_serves_pages() {
        let assets = Assets::load(Path::new("/nonexistent/vitrine-dist")).expect("load");
        assert_eq!(assets.urls().js, None);
    }
}
