# `chipfit conformance` verdicts on a small suite made from one of chipfit's
# own conformance tests (tests/conformance/extra), whole and then broken.
source "$(dirname "$0")/lib.sh"
TEST="$SRC/tests/conformance/extra/qr_dequant_int32"
SUITE="$TMP/suite"
mkdir -p "$SUITE"
cp -r "$TEST" "$SUITE/whole"

expect_rc 0 "a whole test passes" -- "$CHIPFIT" conformance "$SUITE" -v
expect_in out '^pass +whole' "the test passes"
expect_in out 'suite suite +1 passed, 0 failed, 0 unsupported' "suite tally"

# The model is there, its reference output is not: broken test data is a
# failure naming the file, not an unsupported op.
cp -r "$TEST" "$SUITE/no_output"
rm "$SUITE/no_output/test_data_set_0/output_0.pb"
expect_rc 1 "a missing output_0.pb fails the run" -- "$CHIPFIT" conformance "$SUITE"
expect_in out '^FAIL +no_output: test_data_set_0: reference output 0 .*output_0\.pb is missing' \
  "the missing reference file named"
expect_in out '1 passed, 1 failed, 0 unsupported' "counted as failed, not unsupported"

# A missing input is different: an optional input left out (unsupported).
rm -r "$SUITE/no_output"
cp -r "$TEST" "$SUITE/no_input"
rm "$SUITE/no_input/test_data_set_0/input_1.pb"
expect_rc 0 "a missing input is not a failure" -- "$CHIPFIT" conformance "$SUITE"
expect_in out '^unsupported +no_input: .*no data file' "missing input said"
expect_in out '1 passed, 0 failed, 1 unsupported' "counted as unsupported"

finish
