//! A trigger as a local program, `command = ["python3", "/srv/handler.py"]`,
//! started for each invocation without a shell: the event as JSON on its
//! stdin, the returned event as JSON on its stdout, exit status 0. As in
//! Lambda, `AWS_LAMBDA_FUNCTION_NAME` holds the function's name.
//!
//! A non-zero exit fails the trigger as a function that threw, with the
//! `errorMessage` of a JSON object on stdout, else the exit status. Stderr
//! is never logged nor returned, only its length: a handler may print the
//! event, or secrets, there, and the message reaches the API's caller.
//!
//! Each run gets its own process group, and a timeout (or an abandoned call)
//! kills the whole group, so a handler that started helpers leaves none
//! behind.

use std::ffi::OsString;
use std::os::unix::process::ExitStatusExt;
use std::process::{ExitStatus, Stdio};
use std::time::Duration;

use async_trait::async_trait;
use rustix::process::{Pid, Signal, kill_process_group};
use serde_json::Value;
use tessera_core::invoker::{InvokeError, TriggerInvoker};
use tokio::io::{AsyncRead, AsyncReadExt, AsyncWriteExt};
use tokio::process::{Child, Command};

pub struct CommandInvoker {
    argv: Vec<String>,
    timeout: Duration,
    /// Variables removed from the program's environment: Tessera's own
    /// (`TESSERA_*`), which may hold the key-encryption key, access keys or
    /// the store's password.
    hidden: Vec<OsString>,
}

impl CommandInvoker {
    pub fn new(argv: &[String], timeout: Duration) -> Self {
        let hidden = std::env::vars_os()
            .map(|(name, _)| name)
            .filter(|name| name.as_encoded_bytes().starts_with(b"TESSERA_"))
            .collect();
        Self {
            argv: argv.to_vec(),
            timeout,
            hidden,
        }
    }
}

#[async_trait]
impl TriggerInvoker for CommandInvoker {
    fn resolves(&self, _arn: &str) -> bool {
        true
    }

    async fn invoke(&self, arn: &str, event: &Value) -> Result<Value, InvokeError> {
        let Some((program, args)) = self.argv.split_first() else {
            return Err(InvokeError::Unreachable("no program to run".into()));
        };
        let mut command = Command::new(program);
        command
            .args(args)
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .kill_on_drop(true)
            .process_group(0);
        for name in &self.hidden {
            command.env_remove(name);
        }
        let function = super::lambda_arn(arn).map_or(arn, |a| a.function);
        command.env("AWS_LAMBDA_FUNCTION_NAME", function);
        let mut child = command
            .spawn()
            .map_err(|e| InvokeError::Unreachable(format!("could not start {program}: {e}")))?;
        let group = GroupKill(child.id());
        let input = event.to_string().into_bytes();
        let Ok(ran) = tokio::time::timeout(self.timeout, exchange(&mut child, input)).await else {
            return Err(InvokeError::Timeout);
        };
        let (status, stdout, stderr) = ran?;
        group.disarm();
        if stderr.bytes > 0 {
            tracing::debug!(
                program,
                stderr_bytes = stderr.bytes,
                "the trigger command wrote to stderr"
            );
        }
        if status.success() {
            return super::returned_event(&stdout);
        }
        let message = super::error_message(&stdout).unwrap_or_else(|| {
            match (status.code(), status.signal()) {
                (Some(code), _) => format!("exit status {code}"),
                (None, Some(signal)) => format!("killed by signal {signal}"),
                (None, None) => status.to_string(),
            }
        });
        Err(InvokeError::Function(message))
    }
}

/// Feeds `input` to the child while reading what it writes (a child that
/// fills a pipe nobody reads would never finish), then waits for its exit.
async fn exchange(
    child: &mut Child,
    input: Vec<u8>,
) -> Result<(ExitStatus, Vec<u8>, StderrTail), InvokeError> {
    let stdin = child.stdin.take();
    let stdout = child.stdout.take();
    let stderr = child.stderr.take();
    let write = async move {
        if let Some(mut stdin) = stdin {
            // A program that exits without reading it all is judged by its
            // exit status, not by the broken pipe.
            let _ = stdin.write_all(&input).await;
        }
        Ok(())
    };
    let wait = async {
        child
            .wait()
            .await
            .map_err(|e| InvokeError::Unreachable(format!("waiting for the command: {e}")))
    };
    let ((), stdout, stderr, status) =
        tokio::try_join!(write, read_stdout(stdout), read_stderr(stderr), wait)?;
    Ok((status, stdout, stderr))
}

async fn read_stdout(stdout: Option<impl AsyncRead + Unpin>) -> Result<Vec<u8>, InvokeError> {
    let mut out = Vec::new();
    let Some(stdout) = stdout else {
        return Ok(out);
    };
    let limit = super::MAX_ANSWER_BYTES as u64;
    let mut capped = stdout.take(limit + 1);
    capped
        .read_to_end(&mut out)
        .await
        .map_err(|e| InvokeError::Unreachable(format!("reading the command's output: {e}")))?;
    if out.len() as u64 > limit {
        return Err(InvokeError::Malformed(format!(
            "an answer over {limit} bytes"
        )));
    }
    Ok(out)
}

/// How much the program wrote to stderr.
struct StderrTail {
    bytes: usize,
}

/// Reads stderr to its end (so the program never blocks on it), counting it.
async fn read_stderr(stderr: Option<impl AsyncRead + Unpin>) -> Result<StderrTail, InvokeError> {
    let mut seen = StderrTail { bytes: 0 };
    let Some(mut stderr) = stderr else {
        return Ok(seen);
    };
    let mut buffer = [0u8; 8192];
    loop {
        // A read error ends stderr, which is only ever advisory.
        let n = stderr.read(&mut buffer).await.unwrap_or(0);
        if n == 0 {
            return Ok(seen);
        }
        seen.bytes += n;
    }
}

/// Kills the program's process group when dropped before [`GroupKill::disarm`]:
/// on a timeout, a failed exchange, or a call abandoned midway.
struct GroupKill(Option<u32>);

impl GroupKill {
    /// The program exited and its output was read: whatever it left
    /// running, it detached on purpose.
    fn disarm(mut self) {
        self.0 = None;
    }
}

impl Drop for GroupKill {
    fn drop(&mut self) {
        let group = self
            .0
            .and_then(|id| i32::try_from(id).ok())
            .and_then(Pid::from_raw);
        if let Some(group) = group {
            // Already gone is fine: the group's last process may have exited.
            let _ = kill_process_group(group, Signal::KILL);
        }
    }
}

#[cfg(test)]
mod tests {
    use std::path::{Path, PathBuf};

    use serde_json::json;

    use super::*;

    const ARN: &str = "arn:aws:lambda:us-east-1:123456789012:function:preSignUp";

    fn event() -> Value {
        json!({"triggerSource": "PreSignUp_SignUp", "request": {}, "response": {}})
    }

    fn run(argv: &[&str], timeout: Duration) -> CommandInvoker {
        let argv: Vec<String> = argv.iter().map(|a| (*a).to_owned()).collect();
        CommandInvoker::new(&argv, timeout)
    }

    fn sh(script: &str) -> CommandInvoker {
        run(&["sh", "-c", script], Duration::from_secs(5))
    }

    #[tokio::test]
    async fn the_event_goes_in_and_the_returned_event_comes_out() {
        let python = run(
            &[
                "python3",
                "-c",
                "import json, sys\n\
                 event = json.load(sys.stdin)\n\
                 event['response']['autoConfirmUser'] = True\n\
                 print('debug output', file=sys.stderr)\n\
                 json.dump(event, sys.stdout)\n",
            ],
            Duration::from_secs(10),
        );
        let mut expected = event();
        expected["response"]["autoConfirmUser"] = json!(true);
        assert_eq!(python.invoke(ARN, &event()).await, Ok(expected));

        // Larger than a pipe's buffer both ways: fed and read at once.
        let big = json!({"triggerSource": "x", "request": {"blob": "x".repeat(1 << 20)}});
        assert_eq!(sh("cat").invoke(ARN, &big).await, Ok(big));
    }

    #[tokio::test]
    async fn a_failing_program_gives_its_error_message() {
        let json_error = sh(
            "cat > /dev/null; echo '{\"errorMessage\": \"Email domain not allowed\"}'; \
             echo 'Traceback…' >&2; exit 1",
        );
        assert_eq!(
            json_error.invoke(ARN, &event()).await,
            Err(InvokeError::Function("Email domain not allowed".into()))
        );
        // Stderr may hold the event: it never becomes the caller's message.
        let traceback = sh("echo 'Traceback (most recent call last):' >&2; \
             echo 'ValueError: password Passw0rd! is wrong' >&2; exit 3");
        assert_eq!(
            traceback.invoke(ARN, &event()).await,
            Err(InvokeError::Function("exit status 3".into()))
        );
        assert_eq!(
            sh("exit 4").invoke(ARN, &event()).await,
            Err(InvokeError::Function("exit status 4".into()))
        );
        assert_eq!(
            sh("kill -TERM $$").invoke(ARN, &event()).await,
            Err(InvokeError::Function("killed by signal 15".into()))
        );
    }

    #[tokio::test]
    async fn output_that_is_not_an_event_is_malformed() {
        for script in ["echo 'hello'", "echo '[1, 2]'", "true"] {
            assert!(
                matches!(
                    sh(script).invoke(ARN, &event()).await,
                    Err(InvokeError::Malformed(_))
                ),
                "{script}"
            );
        }
    }

    /// Whether `pid` has ended (gone, or a zombie nobody reaped yet).
    fn ended(pid: &str) -> bool {
        match std::fs::read_to_string(format!("/proc/{pid}/stat")) {
            Err(_) => true,
            Ok(stat) => stat
                .rsplit(')')
                .next()
                .is_some_and(|rest| rest.trim_start().starts_with('Z')),
        }
    }

    #[tokio::test]
    async fn a_timeout_kills_the_program_and_what_it_started() {
        let dir = tempfile::tempdir().expect("tempdir");
        let pid_file = dir.path().join("helper.pid");
        let script = format!("sleep 30 & echo $! > '{}'; wait", pid_file.display());
        let slow = run(&["sh", "-c", &script], Duration::from_millis(500));

        let started = std::time::Instant::now();
        assert_eq!(slow.invoke(ARN, &event()).await, Err(InvokeError::Timeout));
        assert!(started.elapsed() < Duration::from_secs(5));

        let helper = std::fs::read_to_string(&pid_file).expect("the helper started");
        let helper = helper.trim();
        let deadline = std::time::Instant::now() + Duration::from_secs(5);
        while !ended(helper) {
            assert!(
                std::time::Instant::now() < deadline,
                "helper {helper} survived"
            );
            tokio::time::sleep(Duration::from_millis(20)).await;
        }
    }

    #[tokio::test]
    async fn a_missing_program_is_unreachable() {
        let missing = run(&["/nonexistent/handler"], Duration::from_secs(1));
        let Err(InvokeError::Unreachable(cause)) = missing.invoke(ARN, &event()).await else {
            panic!("not unreachable")
        };
        assert!(
            cause.starts_with("could not start /nonexistent/handler"),
            "{cause}"
        );
    }

    #[tokio::test]
    async fn tesseras_own_variables_stay_out() {
        let mut echo = sh(
            "cat > /dev/null; printf '{\"home\": \"%s\", \"path\": \"%s\"}' \"$HOME\" \"$PATH\"",
        );
        echo.hidden = vec!["HOME".into()];
        let answer = echo.invoke(ARN, &event()).await.expect("runs");
        assert_eq!(answer["home"], "");
        assert_ne!(answer["path"], "");
    }

    fn wrapper() -> PathBuf {
        Path::new(env!("CARGO_MANIFEST_DIR")).join("../../tools/trigger-command.py")
    }

    #[tokio::test]
    async fn the_python_wrapper_runs_a_lambda_handler() {
        let dir = tempfile::tempdir().expect("tempdir");
        std::fs::write(
            dir.path().join("pre_sign_up.py"),
            "def handler(event, context):\n\
             \x20   print('handlers may print')\n\
             \x20   if event['request'].get('reject'):\n\
             \x20       raise ValueError('Sign-up is closed')\n\
             \x20   event['response']['autoConfirmUser'] = context.function_name == 'preSignUp'\n\
             \x20   return event\n",
        )
        .expect("write");
        let wrapper = wrapper();
        let handler = run(
            &[
                "python3",
                wrapper.to_str().expect("utf-8 path"),
                "pre_sign_up.handler",
                dir.path().to_str().expect("utf-8 path"),
            ],
            Duration::from_secs(10),
        );

        let answer = handler.invoke(ARN, &event()).await.expect("runs");
        assert_eq!(answer["response"]["autoConfirmUser"], true);
        let rejected = json!({"triggerSource": "PreSignUp_SignUp", "request": {"reject": true}, "response": {}});
        assert_eq!(
            handler.invoke(ARN, &rejected).await,
            Err(InvokeError::Function("Sign-up is closed".into()))
        );
    }
}
