use std::io::Write;
use std::path::Path;

use super::*;

const PASSWORD: &str = "Zq9-secret-value-from-passwords-yml";

/// `clouds.yaml` as Kolla's template renders it, with `extra` added to
/// cloud `kolla-admin`.
fn kolla(extra: &str) -> String {
    format!(
        "clouds:
  kolla-admin:
    auth:
      auth_url: http://192.0.2.250:5000
      project_domain_name: Default
      user_domain_name: Default
      project_name: admin
      username: admin
      password: {PASSWORD}
    region_name: RegionOne
{extra}  kolla-admin-system:
    auth:
      auth_url: http://192.0.2.250:5000
      user_domain_name: Default
      system_scope: all
      username: admin
      password: {PASSWORD}
"
    )
}

fn written(text: &str) -> tempfile::NamedTempFile {
    let mut file = tempfile::NamedTempFile::new().unwrap();
    file.write_all(text.as_bytes()).unwrap();
    file
}

fn read(text: &str, cloud: &str) -> Result<Credentials, CloudsError> {
    let file = written(text);
    Credentials::from_file(file.path(), cloud)
}

fn error(text: &str, cloud: &str) -> String {
    let message = read(text, cloud).unwrap_err().to_string();
    assert!(!message.contains(PASSWORD), "{message}");
    message
}

#[test]
fn kollas_file_gives_the_admin_on_the_public_interface() {
    let creds = read(&kolla(""), DEFAULT_CLOUD).unwrap();
    assert_eq!(creds.cloud, "kolla-admin");
    assert_eq!(creds.auth_url, "http://192.0.2.250:5000");
    assert_eq!(creds.identity_v3(), "http://192.0.2.250:5000/v3");
    assert_eq!(creds.username, "admin");
    assert_eq!(creds.password.expose(), PASSWORD);
    assert_eq!(creds.project_name, "admin");
    assert_eq!(creds.user_domain_name, "Default");
    assert_eq!(creds.project_domain_name, "Default");
    assert_eq!(creds.region_name.as_deref(), Some("RegionOne"));
    assert_eq!(creds.interface, Interface::Public);
    assert_eq!(creds.cacert, None);
    assert!(creds.verify);
    let shown = format!("{creds:?}");
    assert!(!shown.contains(PASSWORD), "{shown}");
}

#[test]
fn the_config_dir_holds_clouds_yaml() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("clouds.yaml"), kolla("")).unwrap();
    let creds = Credentials::from_config_dir(dir.path(), DEFAULT_CLOUD).unwrap();
    assert_eq!(creds.source, dir.path().join("clouds.yaml"));
}

#[test]
fn tls_settings_and_interface_are_read() {
    let extra = "    interface: internalURL\n    cacert: /etc/kolla/certificates/ca/root.crt\n    verify: false\n";
    let creds = read(&kolla(extra), DEFAULT_CLOUD).unwrap();
    assert_eq!(creds.interface, Interface::Internal);
    assert_eq!(
        creds.cacert.as_deref(),
        Some(Path::new("/etc/kolla/certificates/ca/root.crt"))
    );
    assert!(!creds.verify);
}

#[test]
fn a_missing_cloud_names_the_file_and_those_there_are() {
    let file = written(&kolla(""));
    let message = Credentials::from_file(file.path(), "kolla-admin-internal")
        .unwrap_err()
        .to_string();
    assert!(
        message.contains(&file.path().display().to_string()),
        "{message}"
    );
    assert!(
        message.contains("no cloud `kolla-admin-internal`"),
        "{message}"
    );
    assert!(
        message.contains("kolla-admin, kolla-admin-system"),
        "{message}"
    );
}

#[test]
fn a_missing_key_is_named() {
    let text = kolla("").replacen("      project_name: admin\n", "", 1);
    let message = error(&text, DEFAULT_CLOUD);
    assert!(
        message.contains("cloud `kolla-admin` has no `auth.project_name`"),
        "{message}"
    );
    let text = kolla("").replacen(&format!("      password: {PASSWORD}\n"), "", 1);
    let message = error(&text, DEFAULT_CLOUD);
    assert!(message.contains("no `auth.password`"), "{message}");
}

#[test]
fn a_bad_value_is_named_without_the_auth_values() {
    let message = error(&kolla("    interface: sideways\n"), DEFAULT_CLOUD);
    assert!(message.contains("`interface` is \"sideways\""), "{message}");
    let message = error(&kolla("    verify: perhaps\n"), DEFAULT_CLOUD);
    assert!(message.contains("`verify`"), "{message}");
    let text = kolla("").replacen(&format!("password: {PASSWORD}"), "password: [a, b]", 1);
    let message = error(&text, DEFAULT_CLOUD);
    assert!(
        message.contains("`auth.password` is not a single value"),
        "{message}"
    );
}

#[test]
fn a_numeric_password_is_text() {
    let text = kolla("").replacen(&format!("password: {PASSWORD}"), "password: 12345678", 1);
    let creds = read(&text, DEFAULT_CLOUD).unwrap();
    assert_eq!(creds.password.expose(), "12345678");
}

#[test]
fn an_oversize_file_is_refused_before_parsing() {
    let mut text = kolla("");
    text.push_str(&format!("# {}\n", "x".repeat(MOST_BYTES as usize)));
    let message = error(&text, DEFAULT_CLOUD);
    assert!(message.contains("larger than 1 MiB"), "{message}");
}

#[test]
fn aliases_are_refused() {
    let text = "a: &a [x, x, x]\nb: [*a, *a, *a]\nclouds: {}\n";
    let message = error(text, DEFAULT_CLOUD);
    assert!(message.contains("line 2: a YAML alias"), "{message}");
}

#[test]
fn not_yaml_names_the_file() {
    let file = written("clouds: [unclosed\n");
    let message = Credentials::from_file(file.path(), DEFAULT_CLOUD)
        .unwrap_err()
        .to_string();
    assert!(
        message.starts_with(&format!("{}: not YAML", file.path().display())),
        "{message}"
    );
}

#[test]
fn a_missing_file_names_it() {
    let message = Credentials::from_file(Path::new("/nonexistent/clouds.yaml"), DEFAULT_CLOUD)
        .unwrap_err()
        .to_string();
    assert!(message.contains("/nonexistent/clouds.yaml"), "{message}");
}

#[test]
fn an_auth_url_with_its_version_is_kept() {
    let text = kolla("").replace("5000\n", "5000/v3/\n");
    let creds = read(&text, DEFAULT_CLOUD).unwrap();
    assert_eq!(creds.identity_v3(), "http://192.0.2.250:5000/v3");
}
