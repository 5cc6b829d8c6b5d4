"""Runs a Lambda handler as a Tessera trigger command.

    command = ["python3", "tools/trigger-command.py", "MODULE.FUNCTION", "DIR"]

imports FUNCTION (a `handler(event, context)`) from MODULE, found in DIR (default: the current
directory), calls it with the event read from stdin and writes the event it returns to stdout.
An exception becomes {"errorMessage": ..., "errorType": ...} on stdout and exit status 1, which
fails the trigger as a Lambda function that throws does. The handler's prints go to stderr.
"""

import importlib, json, os, sys, types, uuid

def main():
    module_name, _, function_name = sys.argv[1].rpartition(".")
    sys.path.insert(0, sys.argv[2] if len(sys.argv) > 2 else ".")
    out, sys.stdout = sys.stdout, sys.stderr  # stdout carries only the answer
    context = types.SimpleNamespace(
        function_name=os.environ.get("AWS_LAMBDA_FUNCTION_NAME", function_name),
        aws_request_id=str(uuid.uuid4()),
    )
    try:
        handler = getattr(importlib.import_module(module_name), function_name)
        result = handler(json.load(sys.stdin), context)
    except Exception as error:
        json.dump({"errorMessage": str(error), "errorType": type(error).__name__}, out)
        sys.exit(1)
    json.dump(result, out)

main()
