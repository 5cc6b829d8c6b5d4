//! The storage contract: what every `Store` engine must do, written once and
//! run against each engine. Adding an engine is one `contract_suite!` line at
//! the bottom of this file; each contract function becomes one test named
//! `<engine>::<area>::<function>`.
//!
//! Contract functions take an [`support::Engine`], which opens the engine's
//! store over a database private to the test; opening it again after the
//! store is dropped must reach the same data.

#[path = "contract/support.rs"]
mod support;

#[path = "contract/auth_events.rs"]
mod auth_events;
#[path = "contract/clients.rs"]
mod clients;
#[path = "contract/codes.rs"]
mod codes;
#[path = "contract/concurrency.rs"]
mod concurrency;
#[path = "contract/devices.rs"]
mod devices;
#[path = "contract/durability.rs"]
mod durability;
#[path = "contract/groups.rs"]
mod groups;
#[path = "contract/housekeeping.rs"]
mod housekeeping;
#[path = "contract/identity_pools.rs"]
mod identity_pools;
#[path = "contract/import_jobs.rs"]
mod import_jobs;
#[path = "contract/intents.rs"]
mod intents;
#[path = "contract/list_users.rs"]
mod list_users;
#[path = "contract/lockout.rs"]
mod lockout;
#[path = "contract/meta.rs"]
mod meta;
#[path = "contract/mfa.rs"]
mod mfa;
#[path = "contract/oauth.rs"]
mod oauth;
#[path = "contract/pools.rs"]
mod pools;
#[path = "contract/postgres.rs"]
mod postgres;
#[path = "contract/postgres_housekeeping.rs"]
mod postgres_housekeeping;
#[path = "contract/signing_keys.rs"]
mod signing_keys;
#[path = "contract/tokens.rs"]
mod tokens;
#[path = "contract/users.rs"]
mod users;
#[path = "contract/webauthn.rs"]
mod webauthn;

/// `contract_suite!(engine_name, |dir: PathBuf| async move { Arc::new(…) })`
/// runs the whole contract against the store the closure opens over `dir`.
/// Expands to `mod $engine { mod <area> { #[tokio::test] fn <function>() … } }`
/// for every contract function listed in `contract_tests!`.
macro_rules! contract_suite {
    ($engine:ident, $open:expr) => {
        mod $engine {
            // The opener is written at the call site, with its names in scope there.
            use super::*;

            fn engine() -> $crate::support::Engine {
                $crate::support::Engine::new(::std::sync::Arc::new(|dir: ::std::path::PathBuf| {
                    Box::pin(async move {
                        let store: ::std::sync::Arc<dyn ::tessera_core::store::Store> =
                            ($open)(dir).await;
                        store
                    }) as $crate::support::Opened
                }))
            }

            contract_tests!(engine);
        }
    };
}

/// The list of contract functions, by area.
macro_rules! contract_tests {
    ($engine:ident) => {
        contract_tests!(@areas $engine;
            meta {
                missing_key_reads_as_none,
                init_meta_keeps_the_first_value,
                concurrent_init_meta_agrees_on_one_value,
            }
            pools {
                create_then_get_returns_the_same_record,
                get_missing_pool_is_not_found,
                duplicate_pool_id_conflicts,
                update_replaces_the_record,
                update_missing_pool_is_not_found,
                delete_removes_the_pool,
                delete_missing_pool_is_not_found,
                list_is_empty_without_pools,
                list_pages_through_every_pool_once,
                list_with_a_limit_beyond_the_count_has_no_next,
                delete_cascades_to_clients_users_groups_and_memberships,
                delete_leaves_other_pools_alone,
                count_users_counts_the_pools_own_users,
            }
            clients {
                create_then_get_returns_the_same_record,
                get_missing_client_is_not_found,
                client_is_not_found_through_another_pool,
                create_in_missing_pool_is_not_found,
                duplicate_client_id_conflicts,
                duplicate_client_id_in_another_pool_conflicts,
                update_replaces_name_settings_and_modified,
                update_missing_client_is_not_found,
                delete_removes_the_client,
                delete_missing_client_is_not_found,
                list_pages_through_the_pools_clients_once,
                added_secrets_are_listed_oldest_first_up_to_the_limit,
                a_secret_id_is_unique_per_client,
                adding_a_secret_to_a_missing_client_is_not_found,
                deleting_a_secret_keeps_the_others_but_never_the_last,
                secrets_go_with_their_client,
            }
            users {
                create_then_get_by_username_sub_and_alias,
                get_missing_user_is_not_found_by_every_key,
                users_and_aliases_are_scoped_to_their_pool,
                create_in_missing_pool_is_not_found,
                duplicate_username_conflicts_and_changes_nothing,
                duplicate_alias_conflicts_and_creates_nothing,
                create_taking_an_alias_moves_it,
                taking_an_unheld_alias_is_fine,
                update_replaces_the_record_and_aliases,
                update_to_a_held_alias_conflicts_and_changes_nothing,
                update_taking_an_alias_moves_it,
                update_missing_user_is_not_found,
                delete_frees_username_and_aliases,
                delete_missing_user_is_not_found,
            }
            list_users {
                unfiltered_pages_through_every_user_once,
                exact_filter_pages_without_duplicates_or_gaps,
                prefix_filter_pages_without_duplicates_or_gaps,
                prefix_filter_pages_through_equal_values,
                prefix_does_not_match_shorter_or_other_values,
                exact_does_not_match_prefixes_or_extensions,
                unicode_prefixes_match_by_characters,
                prefix_matches_values_continuing_with_the_highest_code_point,
                empty_prefix_matches_users_having_the_attribute,
                filters_follow_updates_and_deletes,
                filters_on_username_status_and_enabled,
                filters_are_scoped_to_the_pool,
            }
            groups {
                create_then_get_returns_the_same_record,
                get_missing_group_is_not_found,
                duplicate_group_name_conflicts,
                same_group_name_in_another_pool_is_fine,
                update_replaces_description_precedence_and_role,
                update_missing_group_is_not_found,
                delete_removes_the_group_and_its_memberships,
                delete_missing_group_is_not_found,
                list_pages_through_the_pools_groups_once,
                adding_a_member_twice_is_idempotent,
                adding_a_missing_user_or_to_a_missing_group_is_not_found,
                remove_takes_the_user_out,
                deleting_a_user_removes_its_memberships,
                list_groups_for_user_pages_without_duplicates,
                list_users_in_group_pages_without_duplicates,
            }
            codes {
                right_hash_is_valid_once_then_missing,
                wrong_hash_is_a_mismatch_until_max_failures_then_the_code_is_gone,
                expired_code_is_expired_and_gone,
                put_replaces_the_code_of_the_same_purpose_and_resets_failures,
                purposes_are_independent,
                unknown_user_is_not_found,
                deleting_the_user_removes_its_codes,
                pending_attributes_round_trip_through_create_and_update,
            }
            lockout {
                admission_counts_each_check_refuses_while_locked_and_get_user_shows_it,
                clear_resets_to_the_default_state,
                update_user_does_not_overwrite_the_failure_state,
                concurrent_checks_are_admitted_only_up_to_the_lockout,
                unknown_user_is_not_found,
            }
            mfa {
                the_mfa_record_round_trips_through_create_and_update,
                each_totp_step_is_taken_once_and_never_an_earlier_one,
                a_refund_takes_back_one_admitted_check,
            }
            oauth {
                documents_are_written_read_listed_and_deleted_by_kind,
                domains_are_unique_across_pools,
                an_authorization_code_is_redeemed_once,
                concurrent_redemptions_of_one_code_grant_exactly_one,
                old_codes_are_dropped_a_day_after_expiry,
            }
            auth_events {
                events_are_listed_newest_first_page_by_page_per_user,
                feedback_replaces_in_place_and_is_scoped_to_the_owner,
                events_go_with_their_user,
                the_audit_log_lists_oldest_first_by_pool_and_outlives_the_pool,
            }
            devices {
                create_then_get_round_trips_and_a_taken_key_conflicts,
                list_pages_through_the_users_devices_oldest_first,
                update_changes_status_dates_and_challenge_but_not_the_verifier,
                delete_removes_the_device_and_deleting_the_user_removes_all,
            }
            webauthn {
                passkeys_are_listed_per_user_and_a_taken_id_conflicts,
                a_use_is_recorded_once_against_the_credential_it_was_checked_with,
                delete_removes_the_passkey_and_deleting_the_user_removes_all,
                a_pending_registration_is_replaced_and_taken_once,
                expired_registrations_are_purged_and_live_ones_kept,
            }
            signing_keys {
                a_new_pool_has_no_keys,
                init_stores_the_keys_and_returns_them,
                a_second_init_keeps_the_first_keys,
                concurrent_inits_agree_on_one_set,
                rotate_retires_the_active_keys_and_adds_the_new_ones,
                keys_are_listed_oldest_first,
                keys_are_per_pool,
                deleting_the_pool_removes_its_keys,
            }
            tokens {
                create_then_get_family_round_trips,
                find_refresh_token_returns_the_record_and_its_family,
                rotate_supersedes_the_old_token_once_and_adds_the_new_one,
                rotating_an_unknown_token_is_not_found,
                revoke_family_sets_revoked,
                revoke_user_tokens_revokes_only_that_users_families,
                deleting_the_user_removes_its_families_and_refresh_tokens,
                find_client_by_id_alone_returns_the_client_with_its_pool,
                find_missing_client_is_not_found,
                token_sessions_are_the_live_families_most_recently_active_first,
                recording_activity_moves_the_time_and_keeps_an_unknown_address,
                eviction_revokes_the_least_recently_active_beyond_the_limit,
            }
            intents {
                create_with_a_code_stores_both,
                a_refused_create_stores_no_code,
                disable_saves_the_user_and_revokes_its_families,
                password_reset_saves_the_user_and_clears_its_failures,
            }
            concurrency {
                fifty_concurrent_creates_of_one_username_admit_exactly_one,
                fifty_concurrent_creates_of_one_alias_admit_exactly_one,
            }
            durability {
                data_survives_dropping_and_reopening_the_store,
            }
            housekeeping {
                codes_stay_until_they_expire_then_go,
                families_stay_a_day_past_expiry_revoked_or_not_then_go_with_their_refresh_tokens,
                authorization_codes_stay_a_day_past_expiry_so_replays_are_still_caught,
                lapsed_sign_in_failures_are_forgotten_and_recent_ones_kept,
                each_kind_is_bounded_by_the_batch_limit_and_a_loop_empties_it,
            }
            identity_pools {
                create_then_get_returns_the_same_record,
                missing_or_duplicate_pools,
                update_replaces_the_record_but_not_its_id_or_creation_date,
                a_stale_update_conflicts_and_the_first_update_stays,
                the_version_counts_up_and_reads_return_it,
                create_stores_version_zero_whatever_the_record_says,
                updating_a_deleted_pool_is_not_found,
                concurrent_updates_of_one_pool_all_take_effect,
                list_pages_through_the_pools_oldest_first,
                delete_removes_the_pool_with_its_identities_and_logins,
                create_identity_with_logins_then_get_and_find_by_each,
                a_login_held_by_another_identity_conflicts_and_changes_nothing,
                linking_adds_logins_and_keeps_those_held_already,
                unlinking_removes_only_the_identitys_own_logins,
                merge_moves_the_logins_and_deletes_the_source,
                delete_identities_deletes_those_that_exist,
                list_identities_pages_through_the_pools_identities_oldest_first,
                concurrent_claims_of_one_login_admit_exactly_one,
                reads_beside_merges_see_each_identity_whole,
                identity_keys_are_set_once_and_rotated,
                concurrent_identity_key_inits_agree_on_one_set,
                identity_pools_survive_dropping_and_reopening_the_store,
            }
            import_jobs {
                create_get_and_list_round_trip,
                status_changes_only_from_the_given_statuses,
                one_upload_per_job_and_a_broken_one_can_be_retried,
                a_lease_is_held_by_one_node_until_it_expires,
                a_batch_imports_counts_and_records_failures_at_once,
                files_go_once_their_job_ended_or_was_never_started_in_a_day,
            }
        );
    };
    (@areas $engine:ident; $($area:ident { $($name:ident),* $(,)? })*) => {
        $(
            mod $area {
                $(
                    #[tokio::test(flavor = "multi_thread", worker_threads = 4)]
                    async fn $name() {
                        let engine = super::$engine();
                        $crate::$area::$name(&engine).await;
                    }
                )*
            }
        )*
    };
}

use std::path::PathBuf;
use std::sync::Arc;

use tessera_store::SqliteStore;

contract_suite!(sqlite, |dir: PathBuf| async move {
    Arc::new(SqliteStore::open(dir.join("tessera.db")).expect("opening SQLite"))
});

contract_suite!(postgresql, |dir: PathBuf| async move {
    Arc::new(crate::postgres::open(&dir).await)
});
