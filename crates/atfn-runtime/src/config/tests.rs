use super::*;

#[test]
fn mode_parses_lexicon_values() {
    assert_eq!("pure-v1".parse::<Mode>().unwrap(), Mode::PureV1);
    assert_eq!("host-v1".parse::<Mode>().unwrap(), Mode::HostV1);
    assert_eq!(Mode::HostV1.to_string(), "host-v1");
}

#[test]
fn mode_component_v1_is_not_supported_yet() {
    let err = "component-v1".parse::<Mode>().unwrap_err();
    assert_eq!(err.to_string(), "mode component-v1 is not supported yet");
}

#[test]
fn limits_default_to_lexicon_defaults() {
    assert_eq!(
        Limits::default(),
        Limits {
            max_memory_mb: 32,
            max_duration_ms: 100
        }
    );
}

#[test]
fn engine_kind_parses_both_names() {
    assert_eq!(
        "wasmtime".parse::<EngineKind>().unwrap(),
        EngineKind::Wasmtime
    );
    assert_eq!("interp".parse::<EngineKind>().unwrap(), EngineKind::Interp);
    assert_eq!(EngineKind::Interp.to_string(), "interp");
    assert_eq!(RuntimeConfig::default().engine, EngineKind::Wasmtime);
}

#[test]
fn engine_kind_refuses_other_names() {
    let err = "v8".parse::<EngineKind>().unwrap_err();
    assert_eq!(
        err.to_string(),
        r#"unknown engine "v8" (expected wasmtime or interp)"#
    );
}
