import { describe, expect, it } from 'vitest';
import { parseJunit, testId } from './junit.js';

const XML = `<?xml version="1.0" encoding="utf-8"?><testsuites><testsuite name="docker-py" errors="1" failures="1" skipped="1" tests="5">
<testcase classname="tests.integration.api_exec_test.ExecTest" name="test_exec_command" time="0.5" />
<testcase classname="tests.integration.api_exec_test.ExecTest" name="test_exec_tty" time="0.5"><failure message="AssertionError: assert b'a' == b'b'&#10;more">trace</failure></testcase>
<testcase classname="tests.integration.api_network_test.TestNetworks" name="test_ipv6" time="0"><skipped type="pytest.skip" message="IPv6 off">skip</skipped></testcase>
<testcase classname="tests.integration.api_client_test.InformationTest" name="test_info" time="0.1" />
<testcase classname="tests.integration.api_client_test.InformationTest" name="test_info" time="0.1"><error message="failed on teardown with &quot;APIError&quot;">x</error></testcase>
</testsuite></testsuites>`;

describe('parseJunit', () => {
  it('reads one outcome per test, with the first line of its message', () => {
    const r = parseJunit(XML);
    expect(r.size).toBe(4);
    expect(r.get('api_exec_test.py::ExecTest::test_exec_command')).toEqual({ id: 'api_exec_test.py::ExecTest::test_exec_command', outcome: 'passed', message: '' });
    expect(r.get('api_exec_test.py::ExecTest::test_exec_tty')?.message).toBe("AssertionError: assert b'a' == b'b'");
    expect(r.get('api_network_test.py::TestNetworks::test_ipv6')?.outcome).toBe('skipped');
  });

  it('counts a teardown error after a pass as an error', () => {
    expect(parseJunit(XML).get('api_client_test.py::InformationTest::test_info')).toMatchObject({ outcome: 'error', message: 'failed on teardown with "APIError"' });
  });

  it('names module-level test functions without a class', () => {
    expect(testId('tests.integration.regression_test', 'test_x')).toBe('regression_test.py::test_x');
  });
});
