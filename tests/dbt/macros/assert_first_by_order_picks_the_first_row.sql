-- first_by_order (macros/core/aggregate.sql) returns the measure of the row that sorts first by its order
-- expressions: a negated number sorts descending, a later expression breaks the ties of the earlier ones, and a
-- null measure on that row is the result (not the measure of the next row).

with

samples as (
    select
        sample_values.group_id,
        sample_values.store_code,
        sample_values.postal_code,
        sample_values.spend_eur,
        sample_values.store_days
    from (
        values
        -- most spend wins
        (1, 'S1', '75001', 10.0, 1), (1, 'S2', '69001', 30.0, 1), (1, 'S3', '33000', 20.0, 9),
        -- same spend: most store days, then the first store code
        (2, 'S2', '69001', 10.0, 2), (2, 'S1', '75001', 10.0, 2), (2, 'S3', '33000', 10.0, 1),
        -- the first row has no postal code: null, not the next row's
        (3, 'WEB', cast(null as {{ dbt.type_string() }}), 50.0, 1), (3, 'S1', '75001', 10.0, 5)
    ) as sample_values (group_id, store_code, postal_code, spend_eur, store_days)
),

found as (
    select
        group_id,
        {{ first_by_order('store_code', ['-spend_eur', '-store_days', 'store_code']) }} as store_code,
        {{ first_by_order('postal_code', ['-spend_eur', '-store_days', 'store_code']) }} as postal_code
    from samples
    group by group_id
),

expected as (
    select
        expected_values.group_id,
        expected_values.store_code,
        expected_values.postal_code
    from (
        values
        (1, 'S2', '69001'),
        (2, 'S1', '75001'),
        (3, 'WEB', cast(null as {{ dbt.type_string() }}))
    ) as expected_values (group_id, store_code, postal_code)
),

final as (
    select
        coalesce(found.group_id, expected.group_id) as group_id,
        found.store_code as found_store_code,
        expected.store_code as expected_store_code,
        found.postal_code as found_postal_code,
        expected.postal_code as expected_postal_code
    from found
    full outer join expected
        on found.group_id = expected.group_id
    where
        found.group_id is null
        or expected.group_id is null
        or found.store_code is distinct from expected.store_code
        or found.postal_code is distinct from expected.postal_code
)

select * from final
