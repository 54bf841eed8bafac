def test_init_then_credit_report_is_empty(cli_shop):
    result = cli_shop("report", "credit", "--json")
    assert result.code == 0, result.err
    assert '"total_outstanding": "0.00"' in result.out
