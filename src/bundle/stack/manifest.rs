//! Writes `manifest.json` (the [`Manifest`] type is `bundle::manifest`'s,
//! shared with the reader): every file with its sha256, the hosts, the
//! zones.

use super::super::manifest::{Manifest, ManifestFile, ManifestHost};
use super::super::text::sha256_hex;
use super::super::writer::Out;
use super::super::{FORMAT_VERSION, GENERATOR, MANIFEST_FILE};
use super::readme::roles_of;

pub(in crate::bundle) fn write(o: &mut Out<'_, '_>) {
    let p = o.p;
    let m = p.m;
    // An `external` server is not ours to deploy: no host of the manifest.
    let hosts: Vec<ManifestHost> = m
        .server_ids()
        .filter(|s| m.server(*s).is_deployed())
        .map(|s| {
            let srv = m.server(s);
            ManifestHost {
                name: srv.name.clone(),
                address: p.addr(s).to_string(),
                zone: srv.zone.map(|z| m.zones[z.index()].name.clone()),
                group: srv.group.map(|g| m.group(g).name.clone()),
                vip: p.vrrp_of(s).map(|v| v.vip.to_string()),
                roles: roles_of(o, s),
                files: o.host_files[s.index()]
                    .iter()
                    .map(|f| format!("hosts/{}{f}", srv.name))
                    .collect(),
            }
        })
        .collect();
    let files: Vec<ManifestFile> = o
        .files
        .iter()
        .map(|(path, f)| ManifestFile {
            path: path.clone(),
            sha256: (!f.secret).then(|| sha256_hex(&f.bytes)),
            mode: format!("{:04o}", f.mode),
            secret: f.secret,
        })
        .collect();
    let v = Manifest {
        generator: GENERATOR.to_string(),
        format: FORMAT_VERSION,
        stackc_version: env!("CARGO_PKG_VERSION").to_string(),
        stack: p.stack.clone(),
        title: m.title.clone(),
        flavor: p.flavor.as_str().to_string(),
        hosts,
        zones: std::mem::take(&mut o.zones),
        files,
        secret_files: o
            .files
            .iter()
            .filter(|(_, f)| f.secret)
            .map(|(p, _)| p.clone())
            .collect(),
    };
    o.put(MANIFEST_FILE.into(), v.to_json().into_bytes(), 0o644, false);
}
