-- left_pad_digits (macros/core/gtin.sql) returns what lpad() returns for 1 to `width` digits: gtin_to_14 and the
-- ALPHA card numbers pad with it. Every length from 1 to 14 digits, leading zeros kept; longer or non-digit text
-- is not a GTIN (null).

with

samples as (
    select sample_values.raw_gtin
    from (
        values
        ('7'), ('07'), ('123'), ('0000'), ('12345678'), ('123456789012'), ('1234567890123'), ('12345678901231'),
        ('00000000000000'), ('123456789012345'), (' 3 017 620 422 003 '), ('12a4'), (''), (' '),
        (cast(null as {{ dbt.type_string() }}))
    ) as sample_values (raw_gtin)
),

compared as (
    select
        raw_gtin,
        case
            when {{ matches_regex("replace(raw_gtin, ' ', '')", '^[0-9]{1,14}$') }}
                then lpad(replace(raw_gtin, ' ', ''), 14, '0')
        end as expected_gtin,
        {{ gtin_to_14('raw_gtin') }} as actual_gtin,
        case
            when {{ matches_regex("replace(raw_gtin, ' ', '')", '^[0-9]{1,13}$') }}
                then lpad(replace(raw_gtin, ' ', ''), 13, '0')
        end as expected_card,
        case
            when {{ matches_regex("replace(raw_gtin, ' ', '')", '^[0-9]{1,13}$') }}
                then {{ left_pad_digits("replace(raw_gtin, ' ', '')", 13) }}
        end as actual_card
    from samples
),

final as (
    select
        raw_gtin,
        expected_gtin,
        actual_gtin,
        expected_card,
        actual_card
    from compared
    where
        actual_gtin is distinct from expected_gtin
        or actual_card is distinct from expected_card
)

select * from final
