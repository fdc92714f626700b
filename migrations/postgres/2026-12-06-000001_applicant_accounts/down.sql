DROP TABLE online_banking_handovers;
DROP TABLE online_banking_keys;
DROP TABLE applicant_accounts;
