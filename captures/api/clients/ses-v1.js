'use strict';
// @aws-sdk/client-ses (SES v1, AWS Query form body, XML response): SendEmail with BccAddresses.
// Default endpoint https://email.us-east-1.amazonaws.com.
const { SESClient, SendEmailCommand } = require('@aws-sdk/client-ses');

const credentials = {
  accessKeyId: 'AKIAMCPEGRESSTEST002',
  secretAccessKey: 'Zk9pQ2vR/mcpEgressV1SecretKeyForTests0000',
  sessionToken: 'FwoGZXIvYXdzEMcpEgressV1SessionTokenForTestsOnly9876543210fedcba',
};

async function main() {
  const ses = new SESClient({ region: 'us-east-1', credentials, maxAttempts: 1 });
  await ses.send(new SendEmailCommand({
    Source: 'Payroll <payroll@corp.example>',
    Destination: {
      ToAddresses: ['amir@corp.example'],
      BccAddresses: ['hr-records@hr.corp.example', 'payslips@leak.example'],
    },
    Message: { Subject: { Data: 'Payslip November' }, Body: { Text: { Data: 'Your payslip is ready.' } } },
  }));
}
main().then(() => console.log('ses-v1: 1 request sent'), (e) => { console.error(e); process.exit(1); });
