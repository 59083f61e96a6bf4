//! Reading a secret at init, against Secrets Manager on moto.
#![cfg(feature = "secrets")]

#[tokio::test]
async fn reads_a_secret_by_the_arn_in_an_env_var() {
    let Some(sdk) = aws_env::test_endpoint().await else {
        return;
    };
    let client = aws_sdk_secretsmanager::Client::new(&sdk);
    let name = format!("shipcaptaincrew/test/jwt-keys-{}", std::process::id());
    let value = r#"{"current_kid":"k1","current":"a-signing-key-of-at-least-32-bytes!!"}"#;
    let created = client
        .create_secret()
        .name(&name)
        .secret_string(value)
        .send()
        .await
        .expect("create");
    let var = "TEST_JWT_KEYS_SECRET_ARN";
    // SAFETY of set_var: this test binary has one test, so no other thread reads the environment.
    unsafe { std::env::set_var(var, created.arn().expect("arn")) };
    assert_eq!(aws_env::secret(&sdk, var).await.expect("read"), value);
    // A reader keeps its ARN and client: a second read sees a value written in between.
    let reader = aws_env::SecretReader::from_env(&sdk, var).expect("reader");
    let rotated = r#"{"current":"bbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbb","previous":"a-signing-key-of-at-least-32-bytes!!"}"#;
    client
        .put_secret_value()
        .secret_id(created.arn().expect("arn"))
        .secret_string(rotated)
        .send()
        .await
        .expect("rotate");
    assert_eq!(reader.read().await.expect("read again"), rotated);
    unsafe {
        std::env::set_var(
            var,
            "arn:aws:secretsmanager:us-west-2:123456789012:secret:missing-AbCdEf",
        )
    };
    let err = aws_env::secret(&sdk, var).await.expect_err("missing");
    assert!(err.to_string().contains(var), "{err}");
    assert!(
        !err.to_string().contains("a-signing-key"),
        "never the value"
    );
}
