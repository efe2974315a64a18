"""Ask Tally through boto3 configured by the environment alone.

The script is ordinary boto3 code with no endpoint in it: the standard
variables AWS_ENDPOINT_URL_COST_EXPLORER, AWS_ENDPOINT_URL_BUDGETS and
AWS_ENDPOINT_URL_STS (or AWS_ENDPOINT_URL for all three) point it at Tally.

usage: python3 endpoint_env.py START END
prints {"account": ..., "costs": {month|service: amount}, "budgets": [names]}
"""
import json
import sys

import boto3

start, end = sys.argv[1], sys.argv[2]
account = boto3.client("sts").get_caller_identity()["Account"]

ce = boto3.client("ce")
costs = {}
request = dict(TimePeriod={"Start": start, "End": end}, Granularity="MONTHLY",
               Metrics=["UnblendedCost"], GroupBy=[{"Type": "DIMENSION", "Key": "SERVICE"}])
while True:
    page = ce.get_cost_and_usage(**request)
    for result in page["ResultsByTime"]:
        for group in result["Groups"]:
            key = result["TimePeriod"]["Start"] + "|" + group["Keys"][0]
            costs[key] = group["Metrics"]["UnblendedCost"]["Amount"]
    if "NextPageToken" not in page:
        break
    request["NextPageToken"] = page["NextPageToken"]

budgets = boto3.client("budgets").describe_budgets(AccountId=account).get("Budgets", [])
print(json.dumps({"account": account, "costs": costs, "budgets": [b["BudgetName"] for b in budgets]}))
