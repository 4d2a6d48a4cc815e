//! Secrets stay in the files that need them: credentials by key, by content
//! and in lists never reach plan text, plan JSON, saved plans, `show`,
//! logs at any verbosity or errors; the rendered files keep the real values.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod common;

use common::{Sandbox, kolla, said, stderr};

const PASSWORDS: [&str; 6] = [
    "PWnova1",
    "PWrabbit2",
    "PWlist3",
    "PWlist4",
    "PWpem5",
    "PWurl6",
];

fn secret_topology(sb: &Sandbox) -> std::path::PathBuf {
    let base = std::fs::read_to_string(sb.reference()).unwrap();
    let globals = "[kolla.globals]\n\
        backup_passwords = [\"PWlist3\", \"PWlist4\"]\n\
        ssl_key_pem = \"-----BEGIN PRIVATE KEY-----\\nPWpem5\\n-----END PRIVATE KEY-----\"\n\
        backend_url = \"https://admin:PWurl6@x.example/\"\n";
    let text = base.replacen("[kolla.globals]\n", globals, 1)
        + "\n[kolla.config.\"nova.conf\".database]\n\
           connection = \"mysql+pymysql://nova:PWnova1@db/nova\"\n\
           \n[kolla.config.\"nova.conf\".DEFAULT]\n\
           transport_url = \"rabbit://openstack:PWrabbit2@10.0.0.1:5672//\"\n";
    sb.topology("secret.toml", &text)
}

fn assert_hidden(what: &str, text: &str) {
    for pw in PASSWORDS {
        assert!(!text.contains(pw), "{what} shows {pw}:\n{text}");
    }
}

#[test]
fn no_secret_in_any_output_or_saved_plan_and_the_files_keep_them() {
    if kolla::no_venv() {
        return;
    }
    let sb = Sandbox::new();
    let t = secret_topology(&sb);
    let saved = sb.state.path().join("saved.plan");
    let runs: [(&str, &[&str]); 6] = [
        ("plan", &[]),
        ("plan", &["--json"]),
        ("plan", &["-vv"]),
        ("plan", &["-v", "--out", saved.to_str().unwrap()]),
        ("show", &[]),
        ("show", &["--json"]),
    ];
    for (command, extra) in runs {
        let out = sb.aio(command, &t, extra);
        let all = said(&out);
        assert!(out.status.success(), "{command} {extra:?}: {all}");
        assert_hidden(&format!("{command} {extra:?}"), &all);
    }
    let plan_text = sb.plan_text(&t);
    assert!(
        plan_text.contains("+ nova.conf [database] connection: <sensitive>"),
        "{plan_text}"
    );
    assert_hidden("the saved plan", &std::fs::read_to_string(&saved).unwrap());

    let out = sb.aio("apply", &t, &["--yes", "-vv"]);
    let all = said(&out);
    assert!(out.status.success(), "{all}");
    assert_hidden("apply -vv", &all);
    let config = sb.state.path().join("kolla-etc");
    let nova = std::fs::read_to_string(config.join("config/nova.conf")).unwrap();
    assert!(
        nova.contains("mysql+pymysql://nova:PWnova1@db/nova"),
        "{nova}"
    );
    let globals = std::fs::read_to_string(config.join("globals.d/aio.yml")).unwrap();
    assert!(
        globals.contains("PWlist3") && globals.contains("PWpem5"),
        "{globals}"
    );

    // An error on a line that holds a secret shows the line without it.
    let bad = std::fs::read_to_string(&t).unwrap().replace(
        "connection = \"mysql+pymysql://nova:PWnova1@db/nova\"",
        "connection = \"mysql+pymysql://nova:PWnova1@db/nova\"\nconnection = 2",
    );
    let bad = sb.topology("bad.toml", &bad);
    let out = sb.aio("plan", &bad, &[]);
    assert_eq!(out.status.code(), Some(1));
    assert_hidden("an error", &stderr(&out));
}
