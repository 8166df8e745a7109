-- The two-pass unique_combination_of_columns test (macros/tests/generic_tests.sql) reports exactly the repeated
-- combinations, a null counting as a value like the one-pass group-by, and nothing else.

with

samples as (
    select
        sample_values.retailer,
        sample_values.transaction_id,
        sample_values.line_number
    from (
        values
        ('ALPHA', 'T1', 1), ('ALPHA', 'T1', 1), ('ALPHA', 'T1', 2), ('ALPHA', 'T2', 1),
        ('BETA', cast(null as {{ dbt.type_string() }}), 1), ('BETA', cast(null as {{ dbt.type_string() }}), 1),
        ('BETA', 'T1', cast(null as {{ dbt.type_int() }})), ('BETA', 'T1', 1),
        ('GAMMA', 'T1', 3), ('GAMMA', 'T1', 3), ('GAMMA', 'T1', 3)
    ) as sample_values (retailer, transaction_id, line_number)
),

found as (
    {{ test_unique_combination_of_columns('samples', ['retailer', 'transaction_id', 'line_number']) }}
),

expected as (
    select
        expected_values.retailer,
        expected_values.transaction_id,
        expected_values.line_number,
        expected_values.n_rows
    from (
        values
        ('ALPHA', 'T1', 1, 2),
        ('BETA', cast(null as {{ dbt.type_string() }}), 1, 2),
        ('GAMMA', 'T1', 3, 3)
    ) as expected_values (retailer, transaction_id, line_number, n_rows)
),

final as (
    select
        coalesce(found.retailer, expected.retailer) as retailer,
        coalesce(found.transaction_id, expected.transaction_id) as transaction_id,
        coalesce(found.line_number, expected.line_number) as line_number,
        found.n_rows as found_rows,
        expected.n_rows as expected_rows
    from found
    full outer join expected
        on
            found.retailer = expected.retailer
            and found.transaction_id is not distinct from expected.transaction_id
            and found.line_number = expected.line_number
    where found.n_rows is distinct from expected.n_rows
)

select * from final
